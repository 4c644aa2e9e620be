/*
 * tls_alert.c - the Alert message (RFC 5246 7.2, RFC 8446 6). One call
 * reads one alert; a record may hold several, so the caller loops while
 * bytes are left.
 */
#include "tls_alert.h"

/*
 * RFC 8446 6:
 *   enum { warning(1), fatal(2), (255) } AlertLevel;
 *   struct {
 *       AlertLevel level;
 *       AlertDescription description;
 *   } Alert;
 * A level other than 1 or 2 is malformed; in practice it means the alert
 * was encrypted, which the caller knows and reports instead. Unknown
 * descriptions are kept (tls_alert_name() returns NULL for them).
 */
enum status tls_alert_parse(struct cursor *c, struct tls_alert *ret)
{
    struct tls_alert a;
    struct cursor r = *c;

    TRY(cur_u8(&r, &a.level));
    TRY(cur_u8(&r, &a.description));
    if (a.level != 1 && a.level != 2) {
        return cur_fail(c, ST_MALFORMED, "alert level is neither warning(1) nor fatal(2)");
    }
    *c = r;
    *ret = a;
    return ST_OK;
}
