/*
 * live.c - live capture through libpcap: pcap_create + options +
 * pcap_activate (the order libpcap requires, see pcap(3PCAP) "Capturing
 * packets"), pcap_compile/pcap_setfilter, non-blocking pcap_dispatch driven
 * by the caller's poll(), pcap_stats, pcap_findalldevs; and the privilege
 * drop that follows the opening of the interface.
 */
#include "live.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

struct cap_live {
    pcap_t *p;
    uint64_t frame;
    bool nano;
    int linktype;
    /* while dispatching */
    cap_live_cb cb;
    void *ctx;
};

static void set_denied_message(const char *iface, const char *why, char *errbuf, size_t errlen)
{
    snprintf(errbuf, errlen,
             "capture on %s is not permitted: run as root or give tlsdiag CAP_NET_RAW "
             "(setcap cap_net_raw,cap_net_admin=eip tlsdiag) (libpcap: %s)",
             iface, why && why[0] ? why : "permission denied");
}

enum status cap_live_open(const char *iface, const char *filter, struct cap_live **ret,
                          bool *ret_denied, char *errbuf, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    bool denied = false;
    enum status st = ST_UNSUPPORTED;
    struct cap_live *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(errbuf, errlen, "out of memory");
        return ST_NOMEM;
    }
    l->p = pcap_create(iface, perr);
    if (!l->p) {
        snprintf(errbuf, errlen, "%s: %s", iface, perr);
        goto out;
    }
    /* Options take effect only before activation. */
    if (pcap_set_snaplen(l->p, (int)CAP_LIVE_SNAPLEN) != 0 || pcap_set_promisc(l->p, 0) != 0 ||
        pcap_set_immediate_mode(l->p, 1) != 0 ||
        pcap_set_buffer_size(l->p, (int)CAP_LIVE_BUFFER) != 0 ||
        pcap_set_timeout(l->p, CAP_LIVE_POLL_MS) != 0) {
        snprintf(errbuf, errlen, "%s: %s", iface, pcap_geterr(l->p));
        goto out;
    }
    /* Nanosecond times where the platform has them; microseconds otherwise. */
    (void)pcap_set_tstamp_precision(l->p, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(l->p);
    if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED) {
        denied = true;
        set_denied_message(iface, pcap_geterr(l->p), errbuf, errlen);
        goto out;
    }
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
        snprintf(errbuf, errlen, "%s: no such interface ('tlsdiag live --list' shows them)", iface);
        goto out;
    }
    if (rc < 0) {
        snprintf(errbuf, errlen, "%s: %s", iface, pcap_geterr(l->p));
        goto out;
    }
    /* rc > 0 is a warning (e.g. PCAP_WARNING_TSTAMP_TYPE_NOTSUP): carry on. */
#ifdef DLT_LINUX_SLL2
    /* `-i any`: cooked v2 also names the interface of each packet. */
    if (pcap_datalink(l->p) == DLT_LINUX_SLL) {
        (void)pcap_set_datalink(l->p, DLT_LINUX_SLL2);
    }
#endif
    l->linktype = pcap_datalink(l->p);
    l->nano = pcap_get_tstamp_precision(l->p) == PCAP_TSTAMP_PRECISION_NANO;

    struct bpf_program prog;
    const char *expr = filter ? filter : CAP_LIVE_DEFAULT_FILTER;
    if (pcap_compile(l->p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        /* libpcap's words, verbatim: they name the token that failed. */
        snprintf(errbuf, errlen, "filter '%s': %s", expr, pcap_geterr(l->p));
        st = ST_MALFORMED;
        goto out;
    }
    rc = pcap_setfilter(l->p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(errbuf, errlen, "filter '%s': %s", expr, pcap_geterr(l->p));
        goto out;
    }
    if (pcap_setnonblock(l->p, 1, perr) != 0) {
        snprintf(errbuf, errlen, "%s: %s", iface, perr);
        goto out;
    }
    if (pcap_get_selectable_fd(l->p) < 0) {
        snprintf(errbuf, errlen, "%s: no selectable descriptor", iface);
        goto out;
    }
    *ret = l;
    if (ret_denied) {
        *ret_denied = false;
    }
    return ST_OK;
out:
    if (ret_denied) {
        *ret_denied = denied;
    }
    cap_live_close(l);
    return st;
}

int cap_live_fd(const struct cap_live *l)
{
    return pcap_get_selectable_fd(l->p);
}

int cap_live_linktype(const struct cap_live *l)
{
    return l->linktype;
}

const char *cap_live_linktype_name(const struct cap_live *l)
{
    const char *n = pcap_datalink_val_to_name(l->linktype);
    return n ? n : "unknown";
}

bool cap_live_nano(const struct cap_live *l)
{
    return l->nano;
}

static void on_pcap(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct cap_live *l = (struct cap_live *)user;
    struct cap_packet pkt = {
        .frame = ++l->frame,
        .ts = { .sec = (int64_t)h->ts.tv_sec,
                .nsec = (uint32_t)h->ts.tv_usec * (l->nano ? 1u : 1000u) },
        .data = bytes,
        .caplen = h->caplen,
        .wirelen = h->len,
        .linktype = l->linktype,
    };
    l->cb(l->ctx, &pkt);
}

enum status cap_live_dispatch(struct cap_live *l, unsigned max, cap_live_cb cb, void *ctx,
                              char *errbuf, size_t errlen)
{
    l->cb = cb;
    l->ctx = ctx;
    int n = pcap_dispatch(l->p, max ? (int)max : -1, on_pcap, (u_char *)l);
    if (n == PCAP_ERROR) {
        snprintf(errbuf, errlen, "%s", pcap_geterr(l->p));
        return ST_UNSUPPORTED;
    }
    return ST_OK;
}

bool cap_live_stats(struct cap_live *l, struct cap_live_stats *ret)
{
    struct pcap_stat ps;
    if (pcap_stats(l->p, &ps) != 0) {
        return false;
    }
    ret->received = ps.ps_recv;
    ret->dropped = ps.ps_drop;
    ret->if_dropped = ps.ps_ifdrop;
    return true;
}

void cap_live_close(struct cap_live *l)
{
    if (!l) {
        return;
    }
    if (l->p) {
        pcap_close(l->p);
    }
    free(l);
}

int cap_live_list(FILE *out, char *errbuf, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all = NULL;
    if (pcap_findalldevs(&all, perr) != 0) {
        snprintf(errbuf, errlen, "%s", perr);
        return -1;
    }
    unsigned n = 0;
    for (pcap_if_t *d = all; d; d = d->next) {
        fprintf(out, "%u.%s", ++n, d->name);
        if (d->description) {
            fprintf(out, " (%s)", d->description);
        }
        const char *sep = " [";
        static const struct {
            bpf_u_int32 flag;
            const char *word;
        } flags[] = {
            { PCAP_IF_UP, "Up" },
            { PCAP_IF_RUNNING, "Running" },
            { PCAP_IF_WIRELESS, "Wireless" },
            { PCAP_IF_LOOPBACK, "Loopback" },
        };
        for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
            if (d->flags & flags[i].flag) {
                fprintf(out, "%s%s", sep, flags[i].word);
                sep = ", ";
            }
        }
        switch (d->flags & PCAP_IF_CONNECTION_STATUS) {
        case PCAP_IF_CONNECTION_STATUS_CONNECTED:
            fprintf(out, "%sConnected", sep);
            sep = ", ";
            break;
        case PCAP_IF_CONNECTION_STATUS_DISCONNECTED:
            fprintf(out, "%sDisconnected", sep);
            sep = ", ";
            break;
        default:
            break;
        }
        fprintf(out, "%s\n", sep[0] == ',' ? "]" : " [none]");
    }
    pcap_freealldevs(all);
    if (n == 0) {
        snprintf(errbuf, errlen, "no interfaces found (capture may not be permitted)");
        return -1;
    }
    return 0;
}

/* Clears the effective, permitted and inheritable capability sets
 * (capset(2); lowering them needs no privilege). */
static int caps_clear(void)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2] = { { 0 } };
    return (int)syscall(SYS_capset, &hdr, data);
}

enum status cap_drop_privileges(const char *user, char *errbuf, size_t errlen)
{
    if (geteuid() == 0 || getuid() == 0) {
        errno = 0;
        struct passwd *pw = getpwnam(user);
        if (!pw) {
            snprintf(errbuf, errlen, "cannot drop privileges: no user '%s' (use --user NAME)",
                     user);
            return ST_UNSUPPORTED;
        }
        gid_t gid = pw->pw_gid;
        uid_t uid = pw->pw_uid;
        if (uid == 0) {
            snprintf(errbuf, errlen, "cannot drop privileges: user '%s' is root", user);
            return ST_UNSUPPORTED;
        }
        if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
            setresuid(uid, uid, uid) != 0) {
            snprintf(errbuf, errlen, "cannot drop privileges to '%s': %s", user, strerror(errno));
            return ST_UNSUPPORTED;
        }
        /* Paranoia (CERT POS37-C): the change must be permanent. */
        if (setuid(0) == 0 || geteuid() == 0) {
            snprintf(errbuf, errlen, "cannot drop privileges: uid 0 could be regained");
            return ST_INTERNAL;
        }
    }
    /* Root lost its capabilities with setresuid; a non-root user with file
     * capabilities gives them up here. */
    if (caps_clear() != 0) {
        snprintf(errbuf, errlen, "cannot clear capabilities: %s", strerror(errno));
        return ST_UNSUPPORTED;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(errbuf, errlen, "cannot set no_new_privs: %s", strerror(errno));
        return ST_UNSUPPORTED;
    }
    return ST_OK;
}
