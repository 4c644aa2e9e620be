/*
 * probe.c - `tlsdiag probe`: one TLS handshake of our own against a server,
 * made by wolfSSL as the client, with every byte it sends and receives
 * turned into a packet of a synthetic capture (raw IP, TCP with real
 * addresses, ports and sequence numbers). The analyzer reads those packets
 * exactly as it reads a file, and `-w` writes them for Wireshark. No
 * capture privileges are needed: we are an endpoint, not a sniffer.
 *
 * Blocking sockets with send/receive timeouts; the handshake is not
 * verified here (VERIFY_NONE): judging the server's chain is the rules'
 * job, with --trust.
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROBE_CHUNK 16384u    /* bytes per synthetic packet (one TLS record's worth) */
#define PROBE_AFTER_MS 1500u  /* wait for post-handshake messages (a TLS 1.3 rejection) */
#define PROBE_AFTER_READS 32u /* records read after the handshake at most */
#define DLT_RAW_IP 12         /* DLT_RAW: packets start with the IP header */
#define PROBE_CIPHERS13 \
    "TLS13-AES256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES128-GCM-SHA256"
#define PROBE_CIPHERS12                                                                \
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                       \
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"                       \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                       \
    "DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:"                             \
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256:"     \
    "ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:"             \
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES256-GCM-SHA384:AES128-GCM-SHA256:" \
    "AES256-SHA256:AES128-SHA256:AES256-SHA:AES128-SHA"
#define ISN_CLIENT 1000u
#define ISN_SERVER 5000u

struct probe {
    int fd;
    int family;
    uint8_t addr[2][16]; /* [0] client (us), [1] server */
    uint16_t port[2];
    uint32_t next_seq[2];
    uint64_t frame;
    uint16_t ip_id;
    bool closed[2];
    /* What one recv() returned is one packet; wolfSSL then takes it in
     * the pieces it asks for (record header, then body). */
    uint8_t rbuf[PROBE_CHUNK];
    size_t rlen, rpos;
    double deadline; /* CLOCK_MONOTONIC seconds: a server that trickles bytes is cut off */
    cap_packet_fn fn;
    void *ctx;
    struct cap_probe_result *res;
};

static struct ev_time now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (struct ev_time){ .sec = ts.tv_sec, .nsec = (uint32_t)ts.tv_nsec };
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    }
    if (n % 2) {
        sum += (uint32_t)p[n - 1] << 8;
    }
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

/* One TCP segment from `from` (0 client, 1 server) as a raw IP packet,
 * checksums included so that Wireshark shows no errors. */
static void emit(struct probe *p, int from, uint8_t flags, const uint8_t *data, size_t len)
{
    static uint8_t pkt[40 + 20 + PROBE_CHUNK];
    int to = 1 - from;
    size_t alen = p->family == AF_INET6 ? 16 : 4, ip = p->family == AF_INET6 ? 40 : 20;
    uint8_t *tcp = pkt + ip;
    size_t tcp_len = 20 + len;
    memset(pkt, 0, ip + 20);
    if (p->family == AF_INET6) {
        pkt[0] = 0x60;
        put16(pkt + 4, (uint32_t)tcp_len);
        pkt[6] = IPPROTO_TCP;
        pkt[7] = 64;
        memcpy(pkt + 8, p->addr[from], 16);
        memcpy(pkt + 24, p->addr[to], 16);
    } else {
        pkt[0] = 0x45;
        put16(pkt + 2, (uint32_t)(ip + tcp_len));
        put16(pkt + 4, p->ip_id++);
        pkt[6] = 0x40; /* don't fragment */
        pkt[8] = 64;
        pkt[9] = IPPROTO_TCP;
        memcpy(pkt + 12, p->addr[from], 4);
        memcpy(pkt + 16, p->addr[to], 4);
        put16(pkt + 10, fold(sum16(pkt, 20, 0)));
    }
    put16(tcp, p->port[from]);
    put16(tcp + 2, p->port[to]);
    put32(tcp + 4, p->next_seq[from]);
    put32(tcp + 8, (flags & 0x10) ? p->next_seq[to] : 0);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put16(tcp + 14, 65535);
    if (len) {
        memcpy(tcp + 20, data, len);
    }
    uint8_t pseudo[4];
    put16(pseudo, IPPROTO_TCP);
    put16(pseudo + 2, (uint32_t)tcp_len);
    uint32_t sum = sum16(p->addr[from], alen, 0);
    sum = sum16(p->addr[to], alen, sum);
    sum = sum16(pseudo, 4, sum);
    put16(tcp + 16, fold(sum16(tcp, tcp_len, sum)));
    p->next_seq[from] += (uint32_t)len + ((flags & 0x03) ? 1u : 0u); /* SYN, FIN count */

    struct cap_packet cp = {
        .frame = ++p->frame,
        .ts = now(),
        .data = pkt,
        .caplen = (uint32_t)(ip + tcp_len),
        .wirelen = (uint32_t)(ip + tcp_len),
        .linktype = DLT_RAW_IP,
    };
    p->fn(p->ctx, &cp);
}

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10 };

static void emit_data(struct probe *p, int from, const uint8_t *data, size_t len)
{
    while (len > 0) {
        size_t n = len < PROBE_CHUNK ? len : PROBE_CHUNK;
        emit(p, from, TCP_PSH | TCP_ACK, data, n);
        data += n;
        len -= n;
    }
}

static void emit_close(struct probe *p, int from, bool rst)
{
    if (!p->closed[from]) {
        p->closed[from] = true;
        emit(p, from, rst ? (TCP_RST | TCP_ACK) : (TCP_FIN | TCP_ACK), NULL, 0);
    }
}

static int on_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
    struct probe *p = ctx;
    (void)ssl;
    ssize_t n = send(p->fd, buf, (size_t)sz, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return WOLFSSL_CBIO_ERR_TIMEOUT;
        }
        return errno == EPIPE || errno == ECONNRESET ? WOLFSSL_CBIO_ERR_CONN_CLOSE
                                                     : WOLFSSL_CBIO_ERR_GENERAL;
    }
    emit_data(p, 0, (const uint8_t *)buf, (size_t)n);
    return (int)n;
}

static int on_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
    struct probe *p = ctx;
    (void)ssl;
    if (p->rpos == p->rlen) {
        if (mono() > p->deadline) {
            p->res->timed_out = true;
            return WOLFSSL_CBIO_ERR_TIMEOUT;
        }
        ssize_t n = recv(p->fd, p->rbuf, sizeof p->rbuf, 0);
        if (n == 0) {
            emit_close(p, 1, false);
            return WOLFSSL_CBIO_ERR_CONN_CLOSE;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            p->res->timed_out = true;
            return WOLFSSL_CBIO_ERR_TIMEOUT;
        }
        if (n < 0 && errno == ECONNRESET) {
            emit_close(p, 1, true);
            return WOLFSSL_CBIO_ERR_CONN_RST;
        }
        if (n < 0) {
            return WOLFSSL_CBIO_ERR_GENERAL;
        }
        emit_data(p, 1, p->rbuf, (size_t)n);
        p->rlen = (size_t)n;
        p->rpos = 0;
    }
    size_t give = p->rlen - p->rpos < (size_t)sz ? p->rlen - p->rpos : (size_t)sz;
    memcpy(buf, p->rbuf + p->rpos, give);
    p->rpos += give;
    return (int)give;
}

static void set_timeout(int fd, unsigned ms)
{
    struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (suseconds_t)(ms % 1000) * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* A TCP connection to one address, within the timeout. */
static int connect_one(const struct addrinfo *ai, unsigned ms, int *ret_errno)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *ret_errno = errno;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
        rc = poll(&pfd, 1, (int)ms);
        if (rc == 0) {
            errno = ETIMEDOUT;
            rc = -1;
        } else if (rc > 0) {
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
            errno = soerr;
            rc = soerr ? -1 : 0;
        }
    }
    if (rc < 0) {
        *ret_errno = errno;
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fl);
    set_timeout(fd, ms);
    return fd;
}

static void endpoint_of(const struct sockaddr_storage *ss, uint8_t addr[16], uint16_t *port)
{
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        memcpy(addr, &s6->sin6_addr, 16);
        *port = ntohs(s6->sin6_port);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        memcpy(addr, &s4->sin_addr, 4);
        *port = ntohs(s4->sin_port);
    }
}

static enum status open_tcp(struct probe *p, const struct cap_probe_options *o, char *err,
                            size_t errlen)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    struct addrinfo *list = NULL;
    int gai = getaddrinfo(o->host, o->port, &hints, &list);
    if (gai != 0) {
        snprintf(err, errlen, "%s: cannot resolve the host name: %s", o->host, gai_strerror(gai));
        return ST_UNSUPPORTED;
    }
    int why = 0;
    p->fd = -1;
    for (const struct addrinfo *ai = list; ai && p->fd < 0; ai = ai->ai_next) {
        p->fd = connect_one(ai, o->timeout_ms, &why);
    }
    freeaddrinfo(list);
    if (p->fd < 0) {
        snprintf(err, errlen, "%s port %s: cannot connect: %s", o->host, o->port, strerror(why));
        return ST_UNSUPPORTED;
    }
    struct sockaddr_storage local, peer;
    socklen_t ll = sizeof local, pl = sizeof peer;
    if (getsockname(p->fd, (struct sockaddr *)&local, &ll) != 0 ||
        getpeername(p->fd, (struct sockaddr *)&peer, &pl) != 0) {
        snprintf(err, errlen, "%s port %s: %s", o->host, o->port, strerror(errno));
        close(p->fd);
        return ST_UNSUPPORTED;
    }
    p->family = peer.ss_family;
    endpoint_of(&local, p->addr[0], &p->port[0]);
    endpoint_of(&peer, p->addr[1], &p->port[1]);
    inet_ntop(p->family, p->addr[1], p->res->peer, sizeof p->res->peer);
    p->next_seq[0] = ISN_CLIENT;
    p->next_seq[1] = ISN_SERVER;
    emit(p, 0, TCP_SYN, NULL, 0);
    emit(p, 1, TCP_SYN | TCP_ACK, NULL, 0);
    emit(p, 0, TCP_ACK, NULL, 0);
    return ST_OK;
}

static WOLFSSL_METHOD *method_for(int version)
{
    if (version == 0x0304) {
        return wolfTLSv1_3_client_method();
    }
    if (version == 0x0303) {
        return wolfTLSv1_2_client_method();
    }
    return wolfSSLv23_client_method();
}

static bool load_identity(WOLFSSL_CTX *ctx, const struct cap_probe_options *o, char *err,
                          size_t errlen)
{
    if (!o->cert) {
        return true;
    }
    if (wolfSSL_CTX_use_certificate_chain_file(ctx, o->cert) != WOLFSSL_SUCCESS &&
        wolfSSL_CTX_use_certificate_file(ctx, o->cert, WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS) {
        snprintf(err, errlen, "--cert %s: not a readable PEM chain or DER certificate", o->cert);
        return false;
    }
    const char *key = o->key ? o->key : o->cert;
    if (wolfSSL_CTX_use_PrivateKey_file(ctx, key, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS &&
        wolfSSL_CTX_use_PrivateKey_file(ctx, key, WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS) {
        snprintf(err, errlen, "--key %s: not a readable private key (PEM or DER) for --cert", key);
        return false;
    }
    if (wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS) {
        snprintf(err, errlen, "--key %s does not belong to the certificate in --cert %s", key,
                 o->cert);
        return false;
    }
    return true;
}

static void client_error(struct probe *p, WOLFSSL *ssl, int rc)
{
    int e = wolfSSL_get_error(ssl, rc);
    char text[80];
    wolfSSL_ERR_error_string_n((unsigned long)e, text, sizeof text);
    snprintf(p->res->client_error, sizeof p->res->client_error, "%s (%d)", text, e);
}

/* After a completed handshake: a TLS 1.3 server judges the client's
 * certificate only now, and sends NewSessionTicket or an alert. */
static void read_after(struct probe *p, WOLFSSL *ssl)
{
    uint8_t buf[1024];
    set_timeout(p->fd, PROBE_AFTER_MS);
    for (unsigned i = 0; i < PROBE_AFTER_READS; i++) {
        int n = wolfSSL_read(ssl, buf, sizeof buf);
        if (n <= 0) {
            int e = wolfSSL_get_error(ssl, n);
            if (e != WOLFSSL_ERROR_WANT_READ && !p->res->timed_out && !p->closed[1]) {
                client_error(p, ssl, n);
            }
            return;
        }
    }
}

enum status cap_probe(const struct cap_probe_options *o, cap_packet_fn fn, void *ctx,
                      struct cap_probe_result *res, char *err, size_t errlen)
{
    struct probe p = { .fn = fn, .ctx = ctx, .res = res };
    memset(res, 0, sizeof *res);
    if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
        snprintf(err, errlen, "the TLS library did not initialise");
        return ST_INTERNAL;
    }
    WOLFSSL_CTX *tls = wolfSSL_CTX_new(method_for(o->version));
    if (!tls) {
        snprintf(err, errlen, "out of memory");
        return ST_NOMEM;
    }
    wolfSSL_CTX_set_verify(tls, WOLFSSL_VERIFY_NONE, NULL);
    /* What a current client offers, not the library's every suite (RC4,
     * NULL, anonymous, PSK): the report lists the offer. */
    const char *suites = o->version == 0x0303   ? PROBE_CIPHERS12
                         : o->version == 0x0304 ? PROBE_CIPHERS13
                                                : PROBE_CIPHERS13 ":" PROBE_CIPHERS12;
    if (wolfSSL_CTX_set_cipher_list(tls, suites) != WOLFSSL_SUCCESS) {
        snprintf(err, errlen, "the TLS library refused the cipher list");
        wolfSSL_CTX_free(tls);
        return ST_INTERNAL;
    }
    wolfSSL_CTX_SetIORecv(tls, on_recv);
    wolfSSL_CTX_SetIOSend(tls, on_send);
    if (!load_identity(tls, o, err, errlen)) {
        wolfSSL_CTX_free(tls);
        return ST_UNSUPPORTED;
    }
    p.deadline = mono() + CAP_PROBE_TOTAL_FACTOR * o->timeout_ms / 1000.0;
    enum status st = open_tcp(&p, o, err, errlen);
    if (st != ST_OK) {
        wolfSSL_CTX_free(tls);
        return st;
    }
    WOLFSSL *ssl = wolfSSL_new(tls);
    if (!ssl) {
        close(p.fd);
        wolfSSL_CTX_free(tls);
        snprintf(err, errlen, "out of memory");
        return ST_NOMEM;
    }
    wolfSSL_SetIOReadCtx(ssl, &p);
    wolfSSL_SetIOWriteCtx(ssl, &p);
    if (o->sni && *o->sni) {
        wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, o->sni, (unsigned short)strlen(o->sni));
    }
    int rc = wolfSSL_connect(ssl);
    if (rc == WOLFSSL_SUCCESS) {
        res->handshake_done = true;
        read_after(&p, ssl);
        if (!p.closed[1]) {
            wolfSSL_shutdown(ssl); /* close_notify, as a well-behaved client */
        }
    } else {
        client_error(&p, ssl, rc);
    }
    wolfSSL_free(ssl);
    wolfSSL_CTX_free(tls);
    shutdown(p.fd, SHUT_WR);
    emit_close(&p, 0, false);
    close(p.fd);
    return ST_OK;
}
