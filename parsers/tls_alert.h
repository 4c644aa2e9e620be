/*
 * tls_alert.h - the Alert message (RFC 5246 7.2, RFC 8446 6):
 *   struct { AlertLevel level; AlertDescription description; } Alert;
 * A record may hold several alerts; a plaintext alert record whose length
 * is not a multiple of 2 is malformed (or encrypted, which the caller knows).
 */
#ifndef TLSDIAG_TLS_ALERT_H
#define TLSDIAG_TLS_ALERT_H

#include "cursor.h"

struct tls_alert {
    uint8_t level; /* 1 warning, 2 fatal */
    uint8_t description;
};

MUST_USE enum status tls_alert_parse(struct cursor *c, struct tls_alert *ret);

#endif
