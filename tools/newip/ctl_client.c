/* Client of newipd's control socket: one JSON request line, one JSON response line. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"

json_t *ctl_request_path(const char *path, json_t *req, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char buf[1 << 20];
	size_t have = 0;
	char *out;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return NULL;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	out = json_dumps(req, JSON_COMPACT);
	if (!out)
		goto fail;
	int bad = send(fd, out, strlen(out), MSG_NOSIGNAL) < 0 || send(fd, "\n", 1, MSG_NOSIGNAL) < 0;
	free(out);
	if (bad)
		goto fail;
	while (!memchr(buf, '\n', have) && have < sizeof(buf) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, timeout_ms) <= 0)
			goto fail;
		ssize_t r = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);
		if (r <= 0)
			goto fail;
		have += (size_t)r;
	}
	close(fd);
	buf[have] = '\0';
	return json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
fail:
	if (fd >= 0)
		close(fd);
	return NULL;
}

json_t *ctl_request(const char *node, json_t *req)
{
	char path[512];
	json_t *resp;

	snprintf(path, sizeof(path), "%s/%s/ctl.sock", cli_rundir(), node);
	resp = ctl_request_path(path, req, 5000);
	if (!resp)
		fprintf(stderr, "newip: node %s does not answer on %s (%s); is newipd running?\n",
			node, path, errno ? strerror(errno) : "no response");
	return resp;
}

/* Send {"cmd": cmd, ...extra}; print JSON with -j; NULL on failure (message printed). */
json_t *cli_call(struct cli *c, const char *cmd, json_t *extra)
{
	const char *node = cli_node(c);
	json_t *req = extra ? extra : json_object(), *resp;

	json_object_set_new(req, "cmd", json_string(cmd));
	resp = node ? ctl_request(node, req) : NULL;
	json_decref(req);
	if (!resp)
		return NULL;
	if (!json_is_true(json_object_get(resp, "ok"))) {
		fprintf(stderr, "newip: %s\n", json_string_value(json_object_get(resp, "error")));
		json_decref(resp);
		return NULL;
	}
	if (c->json) {
		char *s = json_dumps(resp, JSON_INDENT(2));
		puts(s);
		free(s);
	}
	return resp;
}

int cli_show(struct cli *c, const char *cmd, void (*print)(json_t *answer))
{
	json_t *r = cli_call(c, cmd, NULL);

	if (!r)
		return EX_USAGE;
	if (!c->json)
		print(r);
	json_decref(r);
	return EX_OK;
}

long long cli_jint(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

const char *cli_jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}
