/* libnewip: the New IP wire format (docs/spec.md). One include for the whole library. */
#ifndef NEWIP_NEWIP_H
#define NEWIP_NEWIP_H

#include "newip/addr.h"
#include "newip/build.h"
#include "newip/checksum.h"
#include "newip/describe.h"
#include "newip/error.h"
#include "newip/ncmp.h"
#include "newip/nls.h"
#include "newip/packet.h"
#include "newip/security.h"
#include "newip/units.h"

#endif
