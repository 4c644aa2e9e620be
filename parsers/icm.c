/*
 * icm.c - SAP ICM trace (dev_icm) lines to evidence. Each line is split
 * into an optional "[Thr <id>] " prefix and a payload; the payload is
 * classified by PCRE2 patterns compiled once from one table (below) and
 * its facts go into the open connection of its thread. Grammar, regexes
 * and grouping rules: shared/icm-trace-format.md sections 3-6 and 9; error
 * names: SAP ssslxx.h (ibid. 5.6); alert names: RFC 8446 6 via tls_names.
 * Real-world deviations handled here: redacted thread ids ("[Thr nn]"),
 * "(- 10)" codes, the SSLERR_ typo, '#' for line breaks in ABAP copies,
 * typographic quotes and Latin-1 text from web copies, lines without
 * prefix (report output, SECUDE stack continuations).
 */
#include "icm.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "caps.h"
#include "tls_names.h"

/* ---- the pattern table -------------------------------------------------- */

enum icm_pat {
    PAT_TIMESTAMP,
    PAT_HEADER_TRC,
    PAT_HEADER_KV,
    PAT_SUMMARY_NEW,
    PAT_SUMMARY_OLD,
    PAT_PROXY,
    PAT_NICONN,
    PAT_BARE_ERR,
    PAT_ERROR_DURING,
    PAT_ERROR_GENERIC,
    PAT_RETURN,
    PAT_CCL,
    PAT_STATE,
    PAT_NI,
    PAT_PSE,
    PAT_CIPHERS,
    PAT_PVFLAGS,
    PAT_SNI,
    PAT_TARGET,
    PAT_SERVERCERT,
    PAT_SSL_FAILED,
    PAT_SIRECV,
    PAT_ALERT,
    PAT_STACK_BEGIN,
    PAT_STACK_END,
    PAT_STACK_ENTRY,
    PAT_STACK_OLD,
    PAT_SECUDE_ERROR,
    PAT_TREE,
    PAT_DUMP,
    PAT_PHRASE,
    PAT_INIT_FRAME,
    PAT_INIT_START,
    PAT_INIT_LIB,
    PAT_INIT_CCL,
    PAT_INIT_SECUDIR,
    PAT_INIT_DPF,
    PAT_INIT_READY,
    PAT_COUNT
};

/* Payload patterns see the payload with leading blanks removed (copies
 * collapse indentation, format 4.1). Unanchored ones also find the text
 * behind prefixes such as "Error: HTTP error 411 occured: ". */
static const char *const pattern_src[PAT_COUNT] = {
    [PAT_TIMESTAMP] = "^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} +\\d{1,2} "
                      "\\d\\d:\\d\\d:\\d\\d:\\d{3} \\d{4}\\s*$",
    [PAT_HEADER_TRC] = "^trc file: \"([^\"]+)\", trc level: (\\d{1,3}), release: \"(\\d{1,6})\"",
    [PAT_HEADER_KV] = "^(sysno|sid|systemid|relno|patchlevel|patchno|intno|make|profile|pid)"
                      "\\s+(.*?)\\s*$",
    [PAT_SUMMARY_NEW] = "SSL handshake with (?:(\\S.*?):(\\d{1,5}|<[^>]*>) )?failed: ?"
                        "(SSS?L(?:ERR|RC)_[A-Z0-9_]+)(?: ?\\(\\s*(-\\s?\\d{1,6})\\s*\\))?\\s*(.*)$",
    [PAT_SUMMARY_OLD] = "IcmConnInit(Client|Server)SSL: SapSSLSessionStart(?:NB)? "
                        "(?:failed|returned) \\(\\s*(-\\s?\\d{1,6})\\s*\\): ?(\\w+)",
    [PAT_PROXY] = "IcmConnInitClientSSL: Proxy connection to (\\S+) via (\\S+) failed "
                  "\\(proxy returned ([^)]*)\\)",
    [PAT_NICONN] =
        "[Cc]onnect to (\\S+?):(\\d{1,5}) failed: ?(NIE\\w+) ?\\(\\s*(-\\s?\\d{1,6})\\s*\\)",
    [PAT_BARE_ERR] = "^(SSS?L(?:ERR|RC)_[A-Z0-9_]+) ?\\(\\s*(-\\s?\\d{1,6})\\s*\\)\\s*(.*)$",
    [PAT_ERROR_DURING] = "^\\*\\*\\* ERROR during (\\w+)\\(\\) from (\\w+)\\(\\)==(\\w+)",
    [PAT_ERROR_GENERIC] = "^(?:\\*\\*\\* )?ERROR => (.*?)"
                          "(?:\\s+\\[([A-Za-z0-9_]+\\.(?:c|cpp|h))\\s+(\\d{1,9})\\])?\\s*$",
    [PAT_RETURN] = "^(?:<<- )?(ERROR: )?(\\w+)\\((?:sssl_hdl=([0-9A-Fa-f]{1,32})[^)]*|[^)]*)\\)"
                   "==(\\w+)\\s*$",
    [PAT_CCL] = "^CCL\\[(\\w+)\\]: (Cli|Srv)-([0-9A-Fa-f]{8}): (.*?)(?:\\s+\\[(\\w+)\\])?\\s*$",
    [PAT_STATE] = "^(?:SSL:)?SSL_get_state\\(\\)(?:==| returned )0x([0-9A-Fa-f]{1,8}) \"([^\"]*)\"",
    [PAT_NI] = "^SSL NI-(?:hdl (\\d{1,10})|sock): local=(.+?):(\\d{1,5}|<[^>]*>)\\s+"
               "peer=(.+?):(\\d{1,5}|<[^>]*>)\\s*$",
    [PAT_PSE] = "^(?:(cli|srv) SSL session PSE|session uses PSE file) \"([^\"]*)\"",
    [PAT_CIPHERS] = "^(SSL_CTX|session) ciphersuites=(\\S+)",
    [PAT_PVFLAGS] = "^(Client|Server) SSL_CTX ([0-9a-fA-F]+) pvflags=(\\d{1,10}) \\(([^)]*)\\)",
    [PAT_SNI] = "^TLSextSNI server_name=\"([^\"]*)\"",
    [PAT_TARGET] = "^Target ?Hostname\\s*=\\s*\"([^\"]*)\"",
    [PAT_SERVERCERT] = "^ServerCert\\.subject = <(.*)>\\s*$",
    [PAT_SSL_FAILED] = "^(\\w+(?:::\\w+)?): (SSL_\\w+)\\(\\) failed"
                       "(?:\\s+\\((\\d{1,12})/0x([0-9a-fA-F]{1,8})\\))?",
    [PAT_SIRECV] = "^SSL::SiRecv\\(\\) failed\\s+rc==(\\w+)",
    [PAT_ALERT] = "received a fatal (?:TLS|SSL\\w*) (.+?) alert message from the peer",
    [PAT_STACK_BEGIN] =
        "^>>\\s+(?:-+\\s+)?Begin of Secu(?:de)?-SSL Errorstack\\s*(?:-+\\s*)?>>\\s*$",
    [PAT_STACK_END] = "^<<\\s+(?:-+\\s+)?End of Secu(?:de)?-SSL Errorstack(?:\\s+-+)?\\s*$",
    [PAT_STACK_ENTRY] = "^(0x[0-9a-fA-F]{8})\\s+(\\S+)\\s+(\\S+)\\s*$",
    [PAT_STACK_OLD] = "^ERROR in (\\w+): \\((\\d{1,12})/0x([0-9a-fA-F]{1,8})\\) (.*?)\\s*#?\\s*$",
    [PAT_SECUDE_ERROR] = "^secude_error (\\d{1,12}) \\(0x([0-9a-fA-F]{1,8})\\) = \"?(.*?)\"?\\s*$",
    [PAT_TREE] = "^(Subject|Issuer|Serial Number|Status|SignerStatus):\\s*(.*?)\\s*$",
    [PAT_DUMP] = "^(in|out|in/out): (\\w+) = (.*?)\\s*$",
    [PAT_PHRASE] = "(Peer not trusted|client did not sen[dt] any cert|intermediary is NOT trusted|"
                   "no trust relationship to intermediary|Failed to verify peer certificate|"
                   "remove SSL header fields)",
    /* The SSL initialisation block (format 3): payloads "= <text>"; copies
     * may lose the "= " or collapse blanks. */
    [PAT_INIT_FRAME] = "^={5,}\\s*$",
    [PAT_INIT_START] = "^(?:=\\s*)?SSL Initiali[sz]ation\\b(?:.*?platform tag=\\(([^)]*)\\))?",
    [PAT_INIT_LIB] = "^(?:=\\s*)?resulting Filename\\s*=\\s*\"([^\"]*)\"",
    [PAT_INIT_CCL] = "^(?:=\\s*)?found CommonCryptoLib (\\d{1,4}\\.\\d{1,4}\\.\\d{1,6})"
                     "(?:\\s+\\(([^)]*)\\))?",
    [PAT_INIT_SECUDIR] = "^(?:=\\s*)?using SECUDIR\\s*=\\s*(\\S(?:.*\\S)?)\\s*$",
    [PAT_INIT_DPF] = "^(?:=\\s*)?\\[dpf\\] (ssl/[a-z_]+|icm/[A-Za-z_/]+)\\s*=\\s*(.*?)\\s*$",
    [PAT_INIT_READY] = "^(?:=\\s*)?(?:Success\\s+)?SapCryptoLib SSL ready",
};

/* The prefilter (speed): a pattern can only match a line that holds one of
 * its literals, at the start of the (left-trimmed) subject for anchored
 * patterns (PRE_START) or anywhere (PRE_HAS). Each literal is text every
 * match of that pattern must contain, so the prefilter never hides a match;
 * it only spares PCRE2 the hex dumps and unrelated lines that make up most
 * of a big trace. Keep it in step with pattern_src: a pattern without an
 * entry (PRE_ANY) always goes to PCRE2. */
enum pre_kind { PRE_ANY = 0, PRE_START, PRE_HAS };

#define PRE_LITS_MAX 7

struct prefilter {
    enum pre_kind kind;
    const char *lit[PRE_LITS_MAX]; /* NULL-terminated when shorter */
};

_Static_assert(PAT_COUNT <= 64, "candidate sets are 64-bit masks");

static const struct prefilter prefilter[PAT_COUNT] = {
    [PAT_TIMESTAMP] = { PRE_START, { "Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun " } },
    [PAT_HEADER_TRC] = { PRE_START, { "trc file: \"" } },
    [PAT_SUMMARY_NEW] = { PRE_HAS, { "SSL handshake with " } },
    [PAT_SUMMARY_OLD] = { PRE_HAS, { "SSL: SapSSLSessionStart" } },
    [PAT_PROXY] = { PRE_HAS, { "IcmConnInitClientSSL: Proxy connection to " } },
    [PAT_NICONN] = { PRE_HAS, { "NIE" } },
    [PAT_BARE_ERR] = { PRE_START, { "SSL", "SSSL" } },
    [PAT_ERROR_DURING] = { PRE_START, { "*** ERROR during " } },
    [PAT_ERROR_GENERIC] = { PRE_START, { "*** ERROR => ", "ERROR => " } },
    [PAT_RETURN] = { PRE_HAS, { ")==" } },
    [PAT_CCL] = { PRE_START, { "CCL[" } },
    [PAT_STATE] = { PRE_START, { "SSL_get_state()", "SSL:SSL_get_state()" } },
    [PAT_NI] = { PRE_START, { "SSL NI-" } },
    [PAT_PSE] = { PRE_START,
                  { "cli SSL session PSE \"", "srv SSL session PSE \"",
                    "session uses PSE file \"" } },
    [PAT_CIPHERS] = { PRE_START, { "SSL_CTX ciphersuites=", "session ciphersuites=" } },
    [PAT_PVFLAGS] = { PRE_START, { "Client SSL_CTX ", "Server SSL_CTX " } },
    [PAT_SNI] = { PRE_START, { "TLSextSNI server_name=\"" } },
    [PAT_TARGET] = { PRE_START, { "Target" } },
    [PAT_SERVERCERT] = { PRE_START, { "ServerCert.subject = <" } },
    [PAT_SSL_FAILED] = { PRE_HAS, { ": SSL_" } },
    [PAT_SIRECV] = { PRE_START, { "SSL::SiRecv() failed" } },
    [PAT_ALERT] = { PRE_HAS, { "fatal TLS ", "fatal SSL" } },
    [PAT_STACK_BEGIN] = { PRE_START, { ">> ", ">>\t" } },
    [PAT_STACK_END] = { PRE_START, { "<< ", "<<\t" } },
    [PAT_STACK_ENTRY] = { PRE_START, { "0x" } },
    [PAT_STACK_OLD] = { PRE_START, { "ERROR in " } },
    [PAT_SECUDE_ERROR] = { PRE_START, { "secude_error " } },
    [PAT_TREE] = { PRE_START,
                   { "Subject:", "Issuer:", "Serial Number:", "Status:", "SignerStatus:" } },
    [PAT_DUMP] = { PRE_START, { "in: ", "out: ", "in/out: " } },
    [PAT_PHRASE] = { PRE_HAS,
                     { "Peer not trusted", "client did not sen", "intermediary is NOT trusted",
                       "no trust relationship to intermediary", "Failed to verify peer certificate",
                       "remove SSL header fields" } },
    [PAT_INIT_FRAME] = { PRE_START, { "=====" } },
    [PAT_INIT_START] = { PRE_HAS, { "SSL Initiali" } },
    [PAT_INIT_LIB] = { PRE_HAS, { "resulting Filename" } },
    [PAT_INIT_CCL] = { PRE_HAS, { "found CommonCryptoLib " } },
    [PAT_INIT_SECUDIR] = { PRE_HAS, { "using SECUDIR" } },
    [PAT_INIT_DPF] = { PRE_HAS, { "[dpf] " } },
    [PAT_INIT_READY] = { PRE_HAS, { "SapCryptoLib SSL ready" } },
};

/* PRE_HAS literals are found with one pass over the subject: each literal
 * has an anchor, a pair of adjacent bytes picked once (where it can, one
 * that starts with an upper-case letter or uncommon punctuation); a bitset
 * of the anchors' pairs sends the few positions holding one to a memcmp of
 * the whole literal. The PRE_HAS candidates are thus exact; the PRE_START ones (by
 * first byte) are checked again in prefilter_pass.
 *
 * Speed: most lines of a big trace hold no literal at all. Where the
 * compiler has vector extensions (GCC, clang), 16 positions are tested at
 * once: a byte equal to the first byte of a rare-first anchor, or a pair
 * equal to one of the other anchors; only the positions found go to the
 * bitset. Without them every position goes to the bitset. */
#define PRE_ANCHORS_MAX 32

struct anchor {
    uint16_t pair; /* first | second << 8 */
    uint8_t pat;
    uint8_t at; /* offset of the pair in the literal */
    uint16_t len;
    const char *lit;
};

static struct anchor anchors[PRE_ANCHORS_MAX];
static size_t anchor_count;
static uint64_t anchor_pairs[65536 / 64];
/* The vector filter: the distinct first bytes of anchors that start with
 * a rare byte, and the distinct pairs of the others. */
static uint8_t vec_first[PRE_ANCHORS_MAX];
static size_t vec_first_count;
static uint16_t vec_pair[PRE_ANCHORS_MAX];
static size_t vec_pair_count;

/* Lengths of the literals, filled once (icm_patterns_get). */
static size_t prefilter_len[PAT_COUNT][PRE_LITS_MAX];

/* Patterns (bit per enum icm_pat) that may match a subject starting with
 * byte b (PRE_START), and the PRE_ANY ones. */
static uint64_t prefilter_first[256];
static uint64_t prefilter_any;

/* How common a byte is in trace text (anchor choice only): separators,
 * digits and frequent lower-case letters most, upper case and other
 * punctuation least. */
static unsigned byte_weight(uint8_t x)
{
    if (x && strchr(" :_-./,()0123456789", x)) {
        return 6;
    }
    if (x && strchr("etaoinsrhlcdu", x)) {
        return 5;
    }
    if (x >= 'a' && x <= 'z') {
        return 4;
    }
    if (x >= 'A' && x <= 'Z') {
        return 2;
    }
    return 1;
}

static void vec_add(uint16_t pair, bool rare_first)
{
    if (rare_first) {
        for (size_t i = 0; i < vec_first_count; i++) {
            if (vec_first[i] == (uint8_t)pair) {
                return;
            }
        }
        vec_first[vec_first_count++] = (uint8_t)pair;
        return;
    }
    for (size_t i = 0; i < vec_pair_count; i++) {
        if (vec_pair[i] == pair) {
            return;
        }
    }
    vec_pair[vec_pair_count++] = pair;
}

static bool anchor_add(uint8_t pat, const char *lit, size_t n)
{
    size_t best = 0;
    unsigned best_w = ~0u;
    if (n < 2 || n > UINT16_MAX || anchor_count == PRE_ANCHORS_MAX) {
        return false;
    }
    /* A rare first byte first (the vector filter looks at first bytes
     * only), then the pair's overall rarity. */
    for (size_t i = 0; i + 1 < n; i++) {
        unsigned w1 = byte_weight((uint8_t)lit[i]), w2 = byte_weight((uint8_t)lit[i + 1]);
        unsigned w = (w1 <= 2 ? 0 : 100) + w1 * 10 + w2;
        for (size_t k = 0; w1 <= 2 && k < vec_first_count; k++) {
            if (vec_first[k] == (uint8_t)lit[i]) {
                w -= 10; /* a first byte the filter tests already costs nothing more */
            }
        }
        if (w < best_w) {
            best_w = w;
            best = i;
        }
    }
    uint16_t pair = (uint16_t)((uint8_t)lit[best] | (uint8_t)lit[best + 1] << 8);
    anchors[anchor_count++] = (struct anchor){
        .pair = pair, .pat = pat, .at = (uint8_t)best, .len = (uint16_t)n, .lit = lit
    };
    anchor_pairs[pair >> 6] |= (uint64_t)1 << (pair & 63);
    vec_add(pair, best_w < 100);
    return true;
}

/* The candidates for one subject, computed once per subject. */
struct subject_set {
    const uint8_t *ptr;
    size_t len;
    uint64_t cand;
};

/* The anchors at position i of s (i + 1 < s.len). */
static inline uint64_t candidates_at(struct bytes s, size_t i)
{
    const uint8_t *b = s.ptr;
    uint64_t cand = 0;
    uint16_t pair = (uint16_t)(b[i] | b[i + 1] << 8);
    if (!(anchor_pairs[pair >> 6] >> (pair & 63) & 1)) {
        return 0;
    }
    for (size_t k = 0; k < anchor_count; k++) {
        const struct anchor *a = &anchors[k];
        if (a->pair == pair && i >= a->at && s.len - (i - a->at) >= a->len &&
            memcmp(b + i - a->at, a->lit, a->len) == 0) {
            cand |= (uint64_t)1 << a->pat;
        }
    }
    return cand;
}

#if defined(__GNUC__) || defined(__clang__)
#define ICM_VECTOR_FILTER 1
typedef uint8_t vec16 __attribute__((vector_size(16)));
typedef uint8_t vec16_unaligned __attribute__((vector_size(16), aligned(1)));
typedef uint64_t vec2x64 __attribute__((vector_size(16)));

/* vec_first[k] and vec_pair[k]'s bytes in every lane, made once
 * (icm_patterns_get). */
static vec16 vec_one[PRE_ANCHORS_MAX], vec_lo[PRE_ANCHORS_MAX], vec_hi[PRE_ANCHORS_MAX];

static void vector_setup(void)
{
    for (size_t k = 0; k < vec_first_count; k++) {
        for (size_t j = 0; j < 16; j++) {
            vec_one[k][j] = vec_first[k];
        }
    }
    for (size_t k = 0; k < vec_pair_count; k++) {
        for (size_t j = 0; j < 16; j++) {
            vec_lo[k][j] = (uint8_t)vec_pair[k];
            vec_hi[k][j] = (uint8_t)(vec_pair[k] >> 8);
        }
    }
}

/* Bit j set: position j of the 16 at `at` may hold an anchor (reads 17
 * bytes). */
static unsigned vector_hits(const uint8_t *at)
{
    vec16 v = *(const vec16_unaligned *)at, w = *(const vec16_unaligned *)(at + 1);
    vec16 m = { 0 };
    for (size_t k = 0; k < vec_first_count; k++) {
        m |= (vec16)(v == vec_one[k]);
    }
    for (size_t k = 0; k < vec_pair_count; k++) {
        m |= (vec16)((v == vec_lo[k]) & (w == vec_hi[k]));
    }
    vec2x64 q = (vec2x64)m;
    if ((q[0] | q[1]) == 0) {
        return 0;
    }
    /* Lanes are 0x00 or 0xff: gather their top bits (a movemask). */
    const uint64_t top = 0x8080808080808080u, gather = 0x0002040810204081u;
    return (unsigned)(((q[0] & top) * gather) >> 56) | (unsigned)(((q[1] & top) * gather) >> 56)
                                                           << 8;
}

static uint64_t vector_candidates(struct bytes s, unsigned hits, size_t base)
{
    uint64_t cand = 0;
    while (hits) {
        unsigned j = (unsigned)__builtin_ctz(hits);
        hits &= hits - 1;
        cand |= candidates_at(s, base + j);
    }
    return cand;
}
#else
static void vector_setup(void)
{
}
#endif

static uint64_t candidates(struct bytes s)
{
    uint64_t cand = prefilter_any;
    if (!s.ptr || s.len == 0) {
        return cand;
    }
    cand |= prefilter_first[s.ptr[0]];
    size_t i = 0;
#ifdef ICM_VECTOR_FILTER
    /* Positions i..i+15 read bytes up to i+16; the last window overlaps
     * the one before (positions already seen are masked out). */
    if (s.len >= 17) {
        for (; i + 17 <= s.len; i += 16) {
            cand |= vector_candidates(s, vector_hits(s.ptr + i), i);
        }
        if (i + 1 < s.len) {
            size_t last = s.len - 17, seen = i - last;
            cand |= vector_candidates(s, vector_hits(s.ptr + last) >> seen << seen, last);
            i = s.len;
        }
    }
#endif
    for (; i + 1 < s.len; i++) {
        cand |= candidates_at(s, i);
    }
#ifdef TLSDIAG_SELFCHECK
    uint64_t slow = prefilter_any | prefilter_first[s.ptr[0]];
    for (size_t k = 0; k + 1 < s.len; k++) {
        slow |= candidates_at(s, k);
    }
    assert(slow == cand);
#endif
    return cand;
}

static uint64_t subject_candidates(struct subject_set *cache, struct bytes s)
{
    if (cache->ptr != s.ptr || cache->len != s.len || !s.ptr) {
        cache->cand = candidates(s);
        cache->ptr = s.ptr;
        cache->len = s.len;
    }
    return cache->cand;
}

static bool prefilter_pass(struct subject_set *cache, enum icm_pat id, struct bytes s)
{
    const struct prefilter *f = &prefilter[id];
    if (f->kind == PRE_ANY) {
        return true;
    }
    if (!s.ptr) {
        return false;
    }
    bool pass = subject_candidates(cache, s) >> id & 1;
#ifdef TLSDIAG_SELFCHECK
    bool has = false;
    for (size_t i = 0; f->kind == PRE_HAS && i < PRE_LITS_MAX && f->lit[i]; i++) {
        has = has || memmem(s.ptr, s.len, f->lit[i], prefilter_len[id][i]) != NULL;
    }
    assert(f->kind != PRE_HAS || has == pass);
#endif
    if (!pass || f->kind == PRE_HAS) {
        return pass; /* PRE_HAS candidates are exact */
    }
    for (size_t i = 0; i < PRE_LITS_MAX && f->lit[i]; i++) {
        size_t n = prefilter_len[id][i];
        if (n <= s.len && s.ptr[0] == (uint8_t)f->lit[i][0] && memcmp(s.ptr, f->lit[i], n) == 0) {
            return true;
        }
    }
    return false;
}

/* The compiled patterns are shared by every parser of the process: compiled
 * (and JIT-compiled) on first use, freed at exit. Not thread-safe: tlsdiag
 * and the fuzz targets parse on one thread; a threaded caller must create
 * its first parser before starting threads. Match data and the match
 * context stay per parser. */
static pcre2_code *shared_re[PAT_COUNT];
static bool shared_ready;

static void icm_patterns_free(void)
{
    for (size_t i = 0; i < PAT_COUNT; i++) {
        pcre2_code_free(shared_re[i]);
        shared_re[i] = NULL;
    }
    shared_ready = false;
}

static bool icm_patterns_get(void)
{
    static bool registered;
    if (shared_ready) {
        return true;
    }
    anchor_count = 0; /* rebuilt from scratch: this may run again after a failure */
    vec_first_count = 0;
    vec_pair_count = 0;
    memset(anchor_pairs, 0, sizeof anchor_pairs);
    memset(prefilter_first, 0, sizeof prefilter_first);
    prefilter_any = 0;
    for (size_t i = 0; i < PAT_COUNT; i++) {
        for (size_t j = 0; j < PRE_LITS_MAX && prefilter[i].lit[j]; j++) {
            prefilter_len[i][j] = strlen(prefilter[i].lit[j]);
            if (prefilter[i].kind == PRE_HAS &&
                !anchor_add((uint8_t)i, prefilter[i].lit[j], prefilter_len[i][j])) {
                fprintf(stderr, "icm: prefilter literal %zu/%zu: no anchor\n", i, j);
                return false;
            }
            if (prefilter[i].kind == PRE_START) {
                prefilter_first[(uint8_t)prefilter[i].lit[j][0]] |= (uint64_t)1 << i;
            }
        }
        if (prefilter[i].kind == PRE_ANY) {
            prefilter_any |= (uint64_t)1 << i;
        }
        if (shared_re[i]) {
            continue;
        }
        int errcode;
        PCRE2_SIZE erroff;
        shared_re[i] = pcre2_compile((PCRE2_SPTR)pattern_src[i], PCRE2_ZERO_TERMINATED,
                                     PCRE2_DOTALL, &errcode, &erroff, NULL);
        if (!shared_re[i]) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(errcode, msg, sizeof msg);
            fprintf(stderr, "icm: pattern %zu does not compile at %zu: %s\n", i, (size_t)erroff,
                    (const char *)msg);
            return false;
        }
        (void)pcre2_jit_compile(shared_re[i], PCRE2_JIT_COMPLETE); /* interpreter when no JIT */
    }
    vector_setup();
    if (!registered) {
        registered = atexit(icm_patterns_free) == 0; /* keeps leak checkers quiet */
    }
    shared_ready = true;
    return true;
}

/* ---- parser state ------------------------------------------------------- */

/* The connection being assembled on one thread (format 9.3). */
struct icm_draft {
    struct ev_connection *conn; /* NULL: nothing open */
    char ccl_id[16];            /* "Cli-0001D1E1" */
    char sssl_hdl[40];
    char ni_hdl[16];
    bool has_summary, has_stack, in_stack;
    bool failed, established, cc_set, peer_no_cert;
    bool have_local, have_peer;
    struct ev_endpoint local, peer;
    long summary_port; /* -1: none */
    char *during;      /* "*** ERROR during" call, words */
    char *alert_words; /* "certificate unknown" */
};

struct icm_thread {
    bool used;
    char id[CAP_ICM_THREAD_ID + 1]; /* "" for the anonymous thread */
    size_t id_len;                  /* strlen(id) */
    uint64_t last_use;
    bool expect_expl; /* the previous line was a summary */
    char ts[48];      /* last timestamp line of this thread */
    struct icm_draft d;
};

struct icm_parser {
    struct evidence *ev;
    const char *path;      /* arena copy */
    pcre2_code *const *re; /* shared_re */
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    struct subject_set pre; /* prefilter cache (the bytes may change under the same pointer:
                               reset for every line) */
    struct bytes subject;   /* the text of the last successful match */
    struct icm_thread *threads;
    uint16_t recent[64]; /* slot of a thread by hash of its id (a hint, checked) */
    size_t cur;          /* index of the current thread; CAP_ICM_THREADS: none yet */
    uint64_t use;        /* clock for least-recently-used eviction */
    bool prefixed_seen;
    struct icm_header hdr;
    struct icm_ssl_init init;
    bool init_open;                          /* inside an SSL initialisation block */
    char init_thread[CAP_ICM_THREAD_ID + 1]; /* its thread ("" anonymous) */
    uint64_t match_errors;
    uint8_t *obuf; /* decoded line (icm_parse_buffer / icm_read_file) */
    size_t obuf_cap;
    uint8_t *held; /* a line cut after "failed:", waiting for its continuation */
    size_t held_len, held_cap;
    uint64_t held_no;
    bool holding;
    uint64_t line_no;  /* the line being classified */
    bool init_in_file; /* the SSL initialisation facts come from the current file */
};

static enum status flush_held(struct icm_parser *p);
static bool ends_with_failed(struct bytes b);

/* ---- small helpers over views ------------------------------------------- */

static bool match(struct icm_parser *p, enum icm_pat id, struct bytes s)
{
    static const uint8_t empty[1] = { 0 };
    if (!prefilter_pass(&p->pre, id, s)) {
        return false;
    }
    PCRE2_SPTR subj = s.ptr ? s.ptr : empty;
    int rc = pcre2_match(p->re[id], subj, s.len, 0, 0, p->md, p->mctx);
    if (rc > 0) {
        p->subject = (struct bytes){ .ptr = subj, .len = s.len };
        return true;
    }
    if (rc != PCRE2_ERROR_NOMATCH) {
        p->match_errors++; /* match limit hit: treat as no match */
    }
    return false;
}

/* Group i of the last match as a view into the current line. */
static struct bytes grp(const struct icm_parser *p, uint32_t i)
{
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
    if (i >= pcre2_get_ovector_count(p->md) || ov[2 * i] == PCRE2_UNSET ||
        ov[2 * i + 1] < ov[2 * i] || ov[2 * i + 1] > p->subject.len) {
        return (struct bytes){ 0 };
    }
    return (struct bytes){ .ptr = p->subject.ptr + ov[2 * i], .len = ov[2 * i + 1] - ov[2 * i] };
}

static bool view_eq(struct bytes b, const char *s)
{
    size_t n = strlen(s);
    return b.len == n && (n == 0 || (b.ptr && memcmp(b.ptr, s, n) == 0));
}

static bool view_starts(struct bytes b, const char *head)
{
    size_t n = strlen(head);
    return b.len >= n && (n == 0 || (b.ptr && memcmp(b.ptr, head, n) == 0));
}

static bool view_has(struct bytes b, const char *needle)
{
    return b.ptr && b.len > 0 && memmem(b.ptr, b.len, needle, strlen(needle)) != NULL;
}

/* view_to without snprintf, for the per-line paths; n > 0. */
static void view_copy(char *dst, size_t n, struct bytes b)
{
    size_t k = b.len < n - 1 ? b.len : n - 1;
    for (size_t i = 0; i < k; i++) {
        dst[i] = (char)b.ptr[i];
    }
    dst[k] = '\0';
}

static void view_to(char *dst, size_t n, struct bytes b)
{
    snprintf(dst, n, "%.*s", (int)b.len, b.ptr ? (const char *)b.ptr : "");
}

/* Leading blanks and tabs removed (indentation is not meaningful in copies). */
static struct bytes view_ltrim(struct bytes b)
{
    size_t i = 0;
    while (i < b.len && (b.ptr[i] == ' ' || b.ptr[i] == '\t')) {
        i++;
    }
    return i == 0 ? b : (struct bytes){ .ptr = b.ptr + i, .len = b.len - i };
}

/* Decimal with an optional '-' and blanks after it ("- 10"); false on
 * anything else or more than 12 digits. */
static bool view_long(struct bytes b, long *ret)
{
    struct parse_error err = { 0 };
    struct cursor c;
    uint8_t x;
    bool neg = false;
    long v = 0;
    unsigned digits = 0;
    cur_init_bytes(&c, b, 0, &err);
    while (cur_u8(&c, &x) == ST_OK) {
        if (x == '-' && !neg && digits == 0) {
            neg = true;
        } else if (x == ' ' && digits == 0) {
            continue;
        } else if (x >= '0' && x <= '9' && digits < 12) {
            v = v * 10 + (x - '0');
            digits++;
        } else {
            return false;
        }
    }
    if (digits == 0) {
        return false;
    }
    *ret = neg ? -v : v;
    return true;
}

static bool view_hex(struct bytes b, unsigned long *ret)
{
    struct parse_error err = { 0 };
    struct cursor c;
    uint8_t x;
    unsigned long v = 0;
    unsigned digits = 0;
    cur_init_bytes(&c, b, 0, &err);
    while (cur_u8(&c, &x) == ST_OK) {
        unsigned d;
        if (x >= '0' && x <= '9') {
            d = x - '0';
        } else if (x >= 'a' && x <= 'f') {
            d = x - 'a' + 10;
        } else if (x >= 'A' && x <= 'F') {
            d = x - 'A' + 10;
        } else {
            return false;
        }
        if (++digits > 8) {
            return false;
        }
        v = v << 4 | d;
    }
    if (digits == 0) {
        return false;
    }
    *ret = v;
    return true;
}

/* "certificate unknown" -> 46, through the one alert table; -1 unknown. */
static int alert_from_words(struct bytes words)
{
    char name[64];
    size_t n = 0;
    struct parse_error err = { 0 };
    struct cursor c;
    uint8_t x;
    cur_init_bytes(&c, words, 0, &err);
    while (cur_u8(&c, &x) == ST_OK) {
        if (n + 1 >= sizeof name) {
            return -1;
        }
        if (x == ' ' || x == '-') {
            x = '_';
        } else if (x >= 'A' && x <= 'Z') {
            x = (uint8_t)(x - 'A' + 'a');
        }
        name[n++] = (char)x;
    }
    name[n] = '\0';
    for (int d = 0; d < 256; d++) {
        const char *known = tls_alert_name((uint8_t)d);
        if (known && strcmp(known, name) == 0) {
            return d;
        }
    }
    return -1;
}

static bool suite_from_name(struct bytes name, uint16_t *ret)
{
    for (uint32_t id = 0; id <= 0xffff; id++) {
        const char *known = tls_cipher_suite_name((uint16_t)id);
        if (known && view_eq(name, known)) {
            *ret = (uint16_t)id;
            return true;
        }
    }
    return false;
}

/* ---- evidence helpers ---------------------------------------------------- */

static char *dup_view(struct icm_parser *p, struct bytes b)
{
    return ev_strndup(&p->ev->arena, b.ptr ? (const char *)b.ptr : "", b.len);
}

/* Caps on lists are not errors of the run: the fact is dropped. */
static enum status soft(enum status st)
{
    return st == ST_LIMIT ? ST_OK : st;
}

static enum status note(struct icm_parser *p, struct icm_draft *d, uint64_t ref, const char *text)
{
    if (!text) {
        return ST_NOMEM;
    }
    return soft(ev_note_add(p->ev, d->conn, ST_OK, ref, 0, EV_FROM_CLIENT, text));
}

static enum status statement(struct icm_parser *p, struct icm_draft *d, struct bytes text)
{
    struct ev_connection *c = d->conn;
    char *s = dup_view(p, text);
    if (!s) {
        return ST_NOMEM;
    }
    return soft(ev_statement_add(p->ev, c, s, p->line_no, CAP_ICM_STATEMENTS));
}

static void set_side(struct icm_parser *p, struct icm_draft *d, enum ev_side side, uint64_t ref)
{
    struct ev_connection *c = d->conn;
    if (c->local_side == EV_SIDE_UNKNOWN) {
        c->local_side = side;
    } else if (c->local_side != side) {
        (void)note(p, d, ref, "trace lines disagree on the ICM's role; the first one is kept");
    }
}

static enum status add_alert(struct icm_parser *p, struct icm_draft *d, int desc, uint64_t ref)
{
    struct ev_connection *c = d->conn;
    if (desc < 0) {
        return ST_OK;
    }
    for (size_t i = 0; i < c->alert_count; i++) {
        if (c->alerts[i].description == desc) {
            return ST_OK;
        }
    }
    /* Direction is fixed when the connection closes (the role may come later). */
    struct ev_alert a = { .level = 2, .description = (uint8_t)desc, .ref = ref };
    return soft(EV_PUSH(&p->ev->arena, c->alerts, c->alert_count, c->alert_cap,
                        CAP_TLS_ALERTS_PER_HANDSHAKE, &a));
}

/* ---- trace time ---------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Reads n decimal digits at *s; false on anything else. */
static bool digits_at(const char **s, unsigned n, unsigned *ret)
{
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++) {
        char ch = (*s)[i];
        if (ch < '0' || ch > '9') {
            return false;
        }
        v = v * 10 + (unsigned)(ch - '0');
    }
    *s += n;
    *ret = v;
    return true;
}

/* "Wed Dec 14 11:07:05:502 2022" (format 4.2; the text PAT_TIMESTAMP
 * matched) as if it were UTC: the trace says nothing of its zone. */
static bool ts_parse(const char *text, struct ev_time *ret)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    unsigned mon = 0, day, hh, mm, ss, ms, year;
    const char *s = text;
    if (strlen(s) < 24) {
        return false;
    }
    s += 4;
    for (unsigned i = 0; i < 12; i++) {
        if (strncmp(s, months + 3 * i, 3) == 0) {
            mon = i + 1;
        }
    }
    if (mon == 0) {
        return false;
    }
    s += 3;
    while (*s == ' ') {
        s++;
    }
    if (!digits_at(&s, s[1] >= '0' && s[1] <= '9' ? 2 : 1, &day) || *s++ != ' ' ||
        !digits_at(&s, 2, &hh) || *s++ != ':' || !digits_at(&s, 2, &mm) || *s++ != ':' ||
        !digits_at(&s, 2, &ss) || *s++ != ':' || !digits_at(&s, 3, &ms) || *s++ != ' ' ||
        !digits_at(&s, 4, &year)) {
        return false;
    }
    if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) {
        return false;
    }
    int64_t days = days_from_civil(year, mon, day);
    *ret =
        (struct ev_time){ .sec = days * 86400 + hh * 3600 + mm * 60 + ss, .nsec = ms * 1000000u };
    return true;
}

bool icm_time_parse(const char *text, struct ev_time *ret)
{
    return text && ts_parse(text, ret);
}

/* ---- threads and drafts ------------------------------------------------- */

static struct icm_thread *cur_thread(struct icm_parser *p)
{
    return p->cur < CAP_ICM_THREADS ? &p->threads[p->cur] : NULL;
}

static void fill_endpoint(struct ev_endpoint *dst, const struct ev_endpoint *src)
{
    *dst = *src;
}

static const char *compose_detail(struct icm_parser *p, struct icm_draft *d)
{
    struct ev_arena *a = &p->ev->arena;
    struct ev_connection *c = d->conn;
    const char *text = c->error_text ? c->error_text : "";
    const char *sep = c->error_text ? ": " : "";
    if (c->not_tls && c->error_name) {
        return ev_printf(a, "not TLS: %s (%d)%s%s; no TLS handshake took place", c->error_name,
                         c->error_code, sep, text);
    }
    if (c->not_tls) {
        return ev_printf(a, "not TLS: %s; no TLS handshake took place", text);
    }
    if (c->error_name && c->error_code != 0) {
        return ev_printf(a, "%s (%d)%s%s", c->error_name, c->error_code, sep, text);
    }
    if (c->error_name) {
        return ev_printf(a, "%s%s%s", c->error_name, sep, text);
    }
    if (c->alert_count > 0) {
        const char *name = tls_alert_name(c->alerts[0].description);
        return ev_printf(a, "fatal %s alert received from the peer%s%s", name ? name : "(unknown)",
                         d->during ? " during " : "", d->during ? d->during : "");
    }
    if (d->during) {
        return ev_printf(a, "error during %s", d->during);
    }
    if (c->error_text) {
        return c->error_text;
    }
    if (c->outcome == EV_OUT_ESTABLISHED) {
        return NULL;
    }
    return "the trace shows no outcome of this handshake";
}

/* The SSL initialisation an attempt sees (format 3): the last block that
 * began before the attempt's first line, once it is complete (a block that
 * begins later is an ICM restart and says nothing of this attempt). */
static void stamp_ssl_init(const struct icm_parser *p, struct ev_connection *c)
{
    const struct icm_ssl_init *in = &p->init;
    if (!in->seen || in->ref >= c->source.first || (!in->ready && !in->ended)) {
        return;
    }
    c->ssl_init = in->ready ? EV_SSL_INIT_READY : EV_SSL_INIT_FAILED;
    c->ssl_init_ref = in->ref;
}

/* Writes the draft's final evidence form (format 9.6 for roles). Again
 * after more lines (an attempt that goes on in the next rotated file):
 * every field it writes is derived from the draft anew. */
static void draft_finalize(struct icm_parser *p, struct icm_draft *d)
{
    struct ev_connection *c = d->conn;
    if (!c) {
        return;
    }
    bool server = c->local_side == EV_SIDE_SERVER;
    c->roles_guessed = c->local_side == EV_SIDE_UNKNOWN;
    c->client = (struct ev_endpoint){ 0 };
    c->server = (struct ev_endpoint){ 0 };
    if (d->have_local) {
        fill_endpoint(server ? &c->server : &c->client, &d->local);
    }
    if (d->have_peer) {
        fill_endpoint(server ? &c->client : &c->server, &d->peer);
    } else if (!server && d->summary_port >= 0) {
        c->server.port = (uint16_t)d->summary_port;
    }
    for (size_t i = 0; i < c->alert_count; i++) {
        c->alerts[i].from = server ? EV_FROM_CLIENT : EV_FROM_SERVER;
    }
    if (!d->cc_set) {
        if (d->peer_no_cert && server) {
            /* "cert_len = <no cert>": empty and absent cannot be told apart. */
            c->client_cert = EV_CC_NOT_SENT;
        } else {
            c->client_cert = EV_CC_NOT_VISIBLE;
        }
    }
    if (d->failed || c->alert_count > 0) {
        c->outcome = EV_OUT_FAILED;
    } else if (d->established) {
        c->outcome = EV_OUT_ESTABLISHED;
    } else {
        c->outcome = EV_OUT_INCOMPLETE;
    }
    c->outcome_detail = compose_detail(p, d);
    stamp_ssl_init(p, c);
}

static void draft_close(struct icm_parser *p, struct icm_draft *d)
{
    draft_finalize(p, d);
    *d = (struct icm_draft){ .summary_port = -1 };
}

static void draft_close_all(struct icm_parser *p)
{
    for (size_t i = 0; i < CAP_ICM_THREADS; i++) {
        if (p->threads[i].used) {
            draft_close(p, &p->threads[i].d);
        }
    }
}

static enum status header_notes(struct icm_parser *p, struct icm_draft *d, uint64_t ref)
{
    if (!p->hdr.seen) {
        return ST_OK;
    }
    return note(p, d, 0,
                ev_printf(&p->ev->arena, "trace header: trc level %d, release %s%s%s",
                          p->hdr.trc_level, p->hdr.release, p->hdr.patchno[0] ? " patch " : "",
                          p->hdr.patchno));
}

/* Line `no` of the current file belongs to c. An attempt that began in an
 * earlier (rotated) file goes on here: its source keeps the first file's
 * lines and names this one as the continuation. */
static enum status touch(struct icm_parser *p, struct ev_connection *c, uint64_t no)
{
    if (c->source.path == p->path) {
        c->source.last = no;
        return ST_OK;
    }
    if (c->source.cont_path != p->path) {
        c->source.cont_path = p->path;
        c->source.cont_first = no;
        char *text = ev_printf(&p->ev->arena,
                               "the attempt goes on in %s from line %llu (rotated trace files; "
                               "line numbers after %llu are of that file)",
                               p->path, (unsigned long long)no, (unsigned long long)c->source.last);
        if (!text) {
            return ST_NOMEM;
        }
        TRY(soft(ev_note_add(p->ev, c, ST_OK, c->source.last, 0, EV_FROM_CLIENT, text)));
    }
    c->source.cont_last = no;
    return ST_OK;
}

/* The open connection of thread t, created when there is none. */
static enum status draft_get(struct icm_parser *p, struct icm_thread *t, uint64_t line_no,
                             struct icm_draft **ret)
{
    struct icm_draft *d = &t->d;
    if (!d->conn) {
        struct ev_connection *c = ev_connection_add(p->ev);
        if (!c) {
            return ST_LIMIT;
        }
        *d = (struct icm_draft){ .conn = c, .summary_port = -1 };
        c->source.kind = EV_SRC_ICM;
        c->source.path = p->path;
        c->source.first = line_no;
        c->stream = c->id;
        stamp_ssl_init(p, c);
        if (t->id[0]) {
            c->source.thread = ev_strdup(&p->ev->arena, t->id);
            if (!c->source.thread) {
                return ST_NOMEM;
            }
        }
        TRY(header_notes(p, d, line_no));
        c->has_stated_time = t->ts[0] && ts_parse(t->ts, &c->stated_time);
        if (t->ts[0]) {
            TRY(note(p, d, line_no,
                     ev_printf(&p->ev->arena, "thread time before this attempt: %s (server local)",
                               t->ts)));
        }
    }
    TRY(touch(p, d->conn, line_no));
    *ret = d;
    return ST_OK;
}

/* A fact that starts a new attempt when the open one already has it. */
static enum status draft_fresh(struct icm_parser *p, struct icm_thread *t, bool boundary,
                               uint64_t line_no, struct icm_draft **ret)
{
    if (boundary) {
        draft_close(p, &t->d);
    }
    return draft_get(p, t, line_no, ret);
}

/* The open attempt already has its outcome: lines that only come before a
 * summary (stack, "<<- ERROR:" marker, "ERROR during") start the next one. */
static bool concluded(const struct icm_thread *t)
{
    return t->d.conn && (t->d.has_summary || t->d.established);
}

/* The open attempt's role contradicts `side` (another attempt began). */
static bool contradicts(const struct icm_thread *t, enum ev_side side)
{
    return t->d.conn && t->d.conn->local_side != EV_SIDE_UNKNOWN && t->d.conn->local_side != side;
}

/* FNV-1a over the length and the last 8 bytes of a thread id (where ids
 * differ: a hint only, checked by the caller). */
static uint32_t id_hash(const uint8_t *b, size_t n)
{
    uint32_t h = (2166136261u ^ (uint32_t)n) * 16777619u;
    for (size_t i = n > 8 ? n - 8 : 0; i < n; i++) {
        h = (h ^ b[i]) * 16777619u;
    }
    return h;
}

static struct icm_thread *thread_select(struct icm_parser *p, struct bytes id)
{
    char key[CAP_ICM_THREAD_ID + 1];
    struct icm_thread *t = cur_thread(p);
    /* Most lines continue the thread of the line before: no copy. (An id
     * with a NUL byte or longer than the cap goes the slow way.) */
    if (t && id.len == t->id_len && (id.len == 0 || memcmp(t->id, id.ptr, id.len) == 0)) {
        t->last_use = ++p->use;
        return t;
    }
    /* Then a hint by hash of the id (id_hash of the key's bytes): O(1)
     * while the table holds no colliding ids. An id whose bytes are not its
     * key (NUL byte, longer than the cap) is hashed from its key. */
    bool plain = id.len <= CAP_ICM_THREAD_ID && (id.len == 0 || !memchr(id.ptr, '\0', id.len));
    uint32_t h = plain ? id_hash(id.ptr, id.len) : 0;
    uint16_t *hint;
    if (plain) {
        hint = &p->recent[h & 63];
        struct icm_thread *x = *hint < CAP_ICM_THREADS ? &p->threads[*hint] : NULL;
        if (x && x->used && x->id_len == id.len &&
            (id.len == 0 || memcmp(x->id, id.ptr, id.len) == 0)) {
            p->cur = *hint;
            x->last_use = ++p->use;
            return x;
        }
    }
    view_copy(key, sizeof key, id);
    if (!plain) {
        h = id_hash((const uint8_t *)key, strlen(key));
        hint = &p->recent[h & 63];
    }
    if (t && strcmp(t->id, key) == 0) {
        t->last_use = ++p->use;
        return t;
    }
    size_t free_slot = CAP_ICM_THREADS, oldest = 0;
    for (size_t i = 0; i < CAP_ICM_THREADS; i++) {
        struct icm_thread *x = &p->threads[i];
        if (!x->used) {
            if (free_slot == CAP_ICM_THREADS) {
                free_slot = i;
            }
            continue;
        }
        if (strcmp(x->id, key) == 0) {
            p->cur = i;
            *hint = (uint16_t)i;
            x->last_use = ++p->use;
            return x;
        }
        if (x->last_use < p->threads[oldest].last_use || !p->threads[oldest].used) {
            oldest = i;
        }
    }
    size_t slot = free_slot;
    if (slot == CAP_ICM_THREADS) {
        slot = oldest; /* table full: the least recently seen thread's attempt ends */
        draft_close(p, &p->threads[slot].d);
    }
    t = &p->threads[slot];
    *t = (struct icm_thread){ .used = true, .last_use = ++p->use, .d = { .summary_port = -1 } };
    snprintf(t->id, sizeof t->id, "%s", key);
    t->id_len = strlen(t->id);
    p->cur = slot;
    *hint = (uint16_t)slot;
    return t;
}

/* ---- handlers, one per pattern family ------------------------------------ */

static enum status set_error(struct icm_parser *p, struct icm_draft *d, struct bytes name,
                             struct bytes code)
{
    struct ev_connection *c = d->conn;
    long v = 0;
    d->failed = true;
    d->has_summary = true;
    c->error_name = dup_view(p, name);
    if (!c->error_name) {
        return ST_NOMEM;
    }
    c->error_line = p->line_no;
    if (code.len > 0 && view_long(code, &v) && v >= -1000000 && v <= 1000000) {
        c->error_code = (int)v;
    }
    /* SSSLERR_ALERT_<NAME>: the peer sent that alert (format 5.6: match by name). */
    static const char *const alert_prefixes[] = { "SSSLERR_ALERT_", "SSLERR_ALERT_",
                                                  "SSSLRC_ALERT_" };
    for (size_t i = 0; i < sizeof alert_prefixes / sizeof alert_prefixes[0]; i++) {
        size_t n = strlen(alert_prefixes[i]);
        if (name.len > n && view_starts(name, alert_prefixes[i])) {
            struct bytes rest = { .ptr = name.ptr + n, .len = name.len - n };
            TRY(add_alert(p, d, alert_from_words(rest), p->line_no));
        }
    }
    if (view_has(name, "SSL_ACCEPT")) {
        set_side(p, d, EV_SIDE_SERVER, p->line_no);
    } else if (view_has(name, "SSL_CONNECT") || view_has(name, "SERVER_CERT_MISMATCH")) {
        set_side(p, d, EV_SIDE_CLIENT, p->line_no);
    }
    return ST_OK;
}

static enum status on_summary_new(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes host = grp(p, 1), port = grp(p, 2), name = grp(p, 3), code = grp(p, 4);
    struct bytes rest = view_ltrim(grp(p, 5));
    struct icm_draft *d;
    long v;
    TRY(draft_fresh(p, t, concluded(t) || contradicts(t, EV_SIDE_CLIENT), no, &d));
    TRY(set_error(p, d, name, code));
    set_side(p, d, EV_SIDE_CLIENT, no);
    if (host.len > 0 && !d->conn->target_host) {
        d->conn->target_host = dup_view(p, host);
        d->conn->target_host_line = p->line_no;
        if (!d->conn->target_host) {
            return ST_NOMEM;
        }
    }
    if (port.len > 0 && view_long(port, &v) && v >= 0 && v <= 65535) {
        d->summary_port = v;
    }
    if (rest.len > 0 && !d->conn->error_text) {
        d->conn->error_text = dup_view(p, rest);
    }
    t->expect_expl = true;
    return ST_OK;
}

static enum status on_summary_old(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes role = grp(p, 1), code = grp(p, 2), name = grp(p, 3);
    struct icm_draft *d;
    enum ev_side side = view_eq(role, "Server") ? EV_SIDE_SERVER : EV_SIDE_CLIENT;
    TRY(draft_fresh(p, t, concluded(t) || contradicts(t, side), no, &d));
    TRY(set_error(p, d, name, code));
    set_side(p, d, side, no);
    t->expect_expl = true;
    return ST_OK;
}

static enum status on_bare_error(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes name = grp(p, 1), code = grp(p, 2), rest = view_ltrim(grp(p, 3));
    struct icm_draft *d;
    TRY(draft_fresh(p, t, concluded(t), no, &d));
    TRY(set_error(p, d, name, code));
    if (rest.len > 0 && !d->conn->error_text) {
        d->conn->error_text = dup_view(p, rest);
    }
    t->expect_expl = true;
    return ST_OK;
}

static enum status on_niconn(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes host = grp(p, 1), port = grp(p, 2), name = grp(p, 3), code = grp(p, 4);
    struct icm_draft *d;
    long v;
    TRY(draft_fresh(p, t, concluded(t) || contradicts(t, EV_SIDE_CLIENT), no, &d));
    struct ev_connection *c = d->conn;
    /* NI error codes share numbers with SapSSL ones (-10): kept apart by not_tls. */
    TRY(set_error(p, d, name, code));
    c->not_tls = true;
    set_side(p, d, EV_SIDE_CLIENT, no);
    c->target_host = dup_view(p, host);
    c->target_host_line = p->line_no;
    c->error_text = ev_printf(&p->ev->arena, "TCP connect to %.*s:%.*s refused", (int)host.len,
                              host.ptr, (int)port.len, port.ptr);
    if (!c->target_host || !c->error_text) {
        return ST_NOMEM;
    }
    if (view_long(port, &v) && v >= 0 && v <= 65535) {
        d->summary_port = v;
    }
    return ST_OK;
}

static enum status on_proxy(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes url = grp(p, 1), proxy = grp(p, 2), answer = grp(p, 3);
    struct icm_draft *d;
    TRY(draft_fresh(p, t, concluded(t) || contradicts(t, EV_SIDE_CLIENT), no, &d));
    struct ev_connection *c = d->conn;
    d->failed = true;
    d->has_summary = true;
    c->not_tls = true;
    set_side(p, d, EV_SIDE_CLIENT, no);
    c->target_host = dup_view(p, url);
    c->target_host_line = p->line_no;
    c->error_text =
        ev_printf(&p->ev->arena,
                  "proxy %.*s refused the connection to %.*s "
                  "(proxy returned %.*s)",
                  (int)proxy.len, proxy.ptr, (int)url.len, url.ptr, (int)answer.len, answer.ptr);
    if (!c->target_host || !c->error_text) {
        return ST_NOMEM;
    }
    return ST_OK;
}

static enum status on_alert_words(struct icm_parser *p, struct icm_draft *d, struct bytes words,
                                  uint64_t no)
{
    int desc = alert_from_words(words);
    if (!d->alert_words) {
        d->alert_words = dup_view(p, words);
    }
    if (desc < 0) {
        return note(p, d, no,
                    ev_printf(&p->ev->arena, "alert from the peer not in the TLS alert table: %.*s",
                              (int)words.len, words.ptr));
    }
    return add_alert(p, d, desc, no);
}

static enum status on_error_during(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes func = grp(p, 1), sslfunc = grp(p, 2), res = grp(p, 3);
    struct icm_draft *d;
    TRY(draft_fresh(p, t, concluded(t), no, &d));
    d->failed = true;
    d->during = ev_printf(&p->ev->arena, "%.*s() from %.*s()==%.*s", (int)func.len, func.ptr,
                          (int)sslfunc.len, sslfunc.ptr, (int)res.len, res.ptr);
    if (!d->during) {
        return ST_NOMEM;
    }
    if (view_eq(sslfunc, "SSL_connect")) {
        set_side(p, d, EV_SIDE_CLIENT, no);
    } else if (view_eq(sslfunc, "SSL_accept")) {
        set_side(p, d, EV_SIDE_SERVER, no);
    }
    return ST_OK;
}

static enum status on_error_generic(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes msg = grp(p, 1), file = grp(p, 2), fline = grp(p, 3);
    struct icm_draft *d;
    /* Only TLS-related errors make an attempt; others join an open one. */
    if (!t->d.conn && !view_has(msg, "SSL") && !view_has(msg, "ssl")) {
        return ST_OK;
    }
    TRY(draft_get(p, t, no, &d));
    d->failed = true;
    if (!d->conn->error_text) {
        d->conn->error_text = dup_view(p, msg);
        if (!d->conn->error_text) {
            return ST_NOMEM;
        }
    }
    if (file.len > 0) {
        TRY(note(p, d, no,
                 ev_printf(&p->ev->arena, "error written at %.*s line %.*s", (int)file.len,
                           file.ptr, (int)fline.len, fline.ptr)));
    }
    if (view_has(msg, "IcmConnInitServerSSL")) {
        set_side(p, d, EV_SIDE_SERVER, no);
    } else if (view_has(msg, "IcmConnInitClientSSL")) {
        set_side(p, d, EV_SIDE_CLIENT, no);
    }
    if (match(p, PAT_ALERT, msg)) {
        TRY(on_alert_words(p, d, grp(p, 1), no));
    }
    return ST_OK;
}

/* Another thread's attempt with this CCL id (format 9.2: group by id). */
static struct icm_draft *draft_by_ccl(struct icm_parser *p, const char *id)
{
    for (size_t i = 0; i < CAP_ICM_THREADS; i++) {
        struct icm_draft *d = &p->threads[i].d;
        if (p->threads[i].used && d->conn && strcmp(d->ccl_id, id) == 0) {
            return d;
        }
    }
    return NULL;
}

static enum status on_ccl(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes role = grp(p, 2), hex = grp(p, 3), msg = grp(p, 4), func = grp(p, 5);
    char id[16];
    snprintf(id, sizeof id, "%.*s-%.*s", (int)role.len, role.ptr, (int)hex.len, hex.ptr);
    enum ev_side side = view_eq(role, "Cli") ? EV_SIDE_CLIENT : EV_SIDE_SERVER;

    struct icm_draft *d = draft_by_ccl(p, id);
    if (d) {
        TRY(touch(p, d->conn, no));
    } else {
        struct icm_draft *open = &t->d;
        /* CCL lines are written during the handshake, before any summary. */
        bool boundary =
            open->conn && (open->ccl_id[0] != '\0' || concluded(t) || contradicts(t, side));
        TRY(draft_fresh(p, t, boundary, no, &d));
        snprintf(d->ccl_id, sizeof d->ccl_id, "%s", id);
        d->conn->source.conn = ev_strdup(&p->ev->arena, id);
        if (!d->conn->source.conn) {
            return ST_NOMEM;
        }
    }
    set_side(p, d, side, no);
    TRY(statement(p, d, msg));
    (void)func; /* the CCL function that wrote the line: not needed yet */

    if (view_has(msg, "fitting to CA names") || view_has(msg, "Have no certificate fitting") ||
        view_has(msg, "Cannot perform client authentication")) {
        /* The server sent a CertificateRequest (its CA names are not in the
         * trace), and the client had nothing to answer with: TLS <= 1.2 then
         * sends an empty Certificate message (RFC 5246 7.4.6). */
        struct ev_connection *c = d->conn;
        if (!c->cert_request) {
            c->cert_request = ev_alloc(&p->ev->arena, sizeof *c->cert_request);
            if (!c->cert_request) {
                return ST_NOMEM;
            }
            c->cert_request->visible = false;
            c->cert_request->ref = no;
        }
        c->client_cert = EV_CC_EMPTY;
        d->cc_set = true;
    }
    if (view_has(msg, "empty Certificate message") || view_has(msg, "empty certificate list")) {
        d->conn->client_cert = EV_CC_EMPTY;
        d->cc_set = true;
    }
    if (match(p, PAT_ALERT, msg)) {
        TRY(on_alert_words(p, d, grp(p, 1), no));
    }
    return ST_OK;
}

static enum status on_return(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes func = grp(p, 2), hdl = grp(p, 3), res = grp(p, 4);
    bool is_error = grp(p, 1).len > 0 || !view_eq(res, "SAP_O_K");
    bool session = view_starts(func, "SapSSLSessionStart");
    struct icm_draft *d;
    if (!session && !(t->d.conn && hdl.len > 0)) {
        return ST_OK; /* SapSSLSetTraceFile()==SAP_O_K and friends: not an attempt */
    }
    char key[40];
    view_to(key, sizeof key, hdl);
    bool boundary = (hdl.len > 0 && t->d.sssl_hdl[0] != '\0' && strcmp(t->d.sssl_hdl, key) != 0) ||
                    (grp(p, 1).len > 0 && concluded(t));
    TRY(draft_fresh(p, t, boundary, no, &d));
    if (hdl.len > 0 && d->sssl_hdl[0] == '\0') {
        snprintf(d->sssl_hdl, sizeof d->sssl_hdl, "%s", key);
        TRY(note(p, d, no, ev_printf(&p->ev->arena, "SapSSL handle sssl_hdl=%s", key)));
    }
    if (session && !is_error) {
        d->established = true;
    } else if (session) {
        d->failed = true;
        if (!d->conn->error_name) {
            d->conn->error_name = dup_view(p, res);
            if (!d->conn->error_name) {
                return ST_NOMEM;
            }
            d->conn->error_line = p->line_no;
        }
    }
    return ST_OK;
}

static enum status on_state(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes hex = grp(p, 1), text = grp(p, 2);
    struct icm_draft *d;
    unsigned long v = 0;
    TRY(draft_get(p, t, no, &d));
    d->conn->handshake_state = dup_view(p, text);
    d->conn->state_line = p->line_no;
    if (!d->conn->handshake_state) {
        return ST_NOMEM;
    }
    /* Role bits are the reverse of OpenSSL's: 0x2xxx client, 0x1xxx server (5.4). */
    if (view_hex(hex, &v)) {
        if ((v >> 12 & 0xf) == 2) {
            set_side(p, d, EV_SIDE_CLIENT, no);
        } else if ((v >> 12 & 0xf) == 1) {
            set_side(p, d, EV_SIDE_SERVER, no);
        }
    }
    return ST_OK;
}

/* ip:port into an endpoint; false for placeholders or overlong text. */
static bool endpoint_from(struct bytes ip, struct bytes port, struct ev_endpoint *ret)
{
    long v;
    if (ip.len == 0 || ip.len >= sizeof ret->ip || !view_long(port, &v) || v < 0 || v > 65535) {
        return false;
    }
    struct ev_endpoint e = { .port = (uint16_t)v };
    view_to(e.ip, sizeof e.ip, ip);
    *ret = e;
    return true;
}

static enum status on_ni(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes hdl = grp(p, 1), lip = grp(p, 2), lport = grp(p, 3), pip = grp(p, 4),
                 pport = grp(p, 5);
    char key[16];
    view_to(key, sizeof key, hdl);
    bool boundary = hdl.len > 0 && t->d.ni_hdl[0] != '\0' && strcmp(t->d.ni_hdl, key) != 0;
    struct icm_draft *d;
    TRY(draft_fresh(p, t, boundary, no, &d));
    if (hdl.len > 0) {
        snprintf(d->ni_hdl, sizeof d->ni_hdl, "%s", key);
        TRY(note(p, d, no, ev_printf(&p->ev->arena, "NI handle %s", key)));
    }
    d->have_local = endpoint_from(lip, lport, &d->local);
    d->have_peer = endpoint_from(pip, pport, &d->peer);
    if (!d->have_local || !d->have_peer) {
        TRY(note(p, d, no,
                 ev_printf(&p->ev->arena,
                           "endpoints not usable as addresses: local=%.*s:%.*s "
                           "peer=%.*s:%.*s",
                           (int)lip.len, lip.ptr, (int)lport.len, lport.ptr, (int)pip.len, pip.ptr,
                           (int)pport.len, pport.ptr)));
    }
    return ST_OK;
}

static enum status on_pse(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes role = grp(p, 1), path = grp(p, 2);
    struct icm_draft *d;
    TRY(draft_get(p, t, no, &d));
    d->conn->identity = dup_view(p, path);
    d->conn->identity_line = p->line_no;
    if (!d->conn->identity) {
        return ST_NOMEM;
    }
    if (view_eq(role, "cli")) {
        set_side(p, d, EV_SIDE_CLIENT, no);
    } else if (view_eq(role, "srv")) {
        set_side(p, d, EV_SIDE_SERVER, no);
    }
    return ST_OK;
}

static enum status on_ciphers(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes spec = grp(p, 2);
    struct icm_draft *d;
    TRY(draft_get(p, t, no, &d));
    return note(p, d, no,
                ev_printf(&p->ev->arena, "cipher suite setting %.*s", (int)spec.len, spec.ptr));
}

static enum status on_pvflags(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes role = grp(p, 1), flags = grp(p, 3), list = grp(p, 4);
    struct icm_draft *d;
    TRY(draft_get(p, t, no, &d));
    set_side(p, d, view_eq(role, "Client") ? EV_SIDE_CLIENT : EV_SIDE_SERVER, no);
    return note(p, d, no,
                ev_printf(&p->ev->arena, "protocol versions enabled: %.*s (pvflags=%.*s)",
                          (int)list.len, list.ptr, (int)flags.len, flags.ptr));
}

static enum status on_sni(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes name = grp(p, 1);
    struct icm_draft *d;
    TRY(draft_get(p, t, no, &d));
    d->conn->ch.sni = dup_view(p, name);
    return d->conn->ch.sni ? ST_OK : ST_NOMEM;
}

static enum status on_target(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes name = grp(p, 1);
    struct icm_draft *d;
    TRY(draft_get(p, t, no, &d));
    set_side(p, d, EV_SIDE_CLIENT, no);
    d->conn->target_host = dup_view(p, name);
    d->conn->target_host_line = p->line_no;
    return d->conn->target_host ? ST_OK : ST_NOMEM;
}

static enum status stated_cert_new(struct icm_parser *p, struct icm_draft *d, uint64_t no,
                                   struct ev_stated_cert **ret)
{
    struct ev_connection *c = d->conn;
    struct ev_stated_cert sc = { .ref = no };
    enum status st = EV_PUSH(&p->ev->arena, c->stated_certs, c->stated_cert_count,
                             c->stated_cert_cap, CAP_ICM_STATED_CERTS, &sc);
    if (st != ST_OK) {
        *ret = NULL;
        return soft(st);
    }
    *ret = &c->stated_certs[c->stated_cert_count - 1];
    return ST_OK;
}

static enum status on_servercert(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes subj = grp(p, 1);
    struct icm_draft *d;
    struct ev_stated_cert *sc = NULL;
    TRY(draft_get(p, t, no, &d));
    set_side(p, d, EV_SIDE_CLIENT, no);
    if (d->conn->stated_cert_count > 0) {
        return note(
            p, d, no,
            ev_printf(&p->ev->arena, "server certificate subject %.*s", (int)subj.len, subj.ptr));
    }
    TRY(stated_cert_new(p, d, no, &sc));
    if (sc) {
        sc->subject = dup_view(p, subj);
        return sc->subject ? ST_OK : ST_NOMEM;
    }
    return ST_OK;
}

static enum status on_tree(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes key = grp(p, 1), val = grp(p, 2);
    struct icm_draft *d;
    struct ev_stated_cert *sc = NULL;
    TRY(draft_get(p, t, no, &d));
    struct ev_connection *c = d->conn;
    if (c->stated_cert_count > 0) {
        sc = &c->stated_certs[c->stated_cert_count - 1];
    }
    if (view_eq(key, "Subject")) {
        TRY(stated_cert_new(p, d, no, &sc));
        if (sc) {
            sc->subject = dup_view(p, val);
            return sc->subject ? ST_OK : ST_NOMEM;
        }
        return ST_OK;
    }
    if (!sc) {
        TRY(stated_cert_new(p, d, no, &sc));
        if (!sc) {
            return ST_OK;
        }
    }
    char **slot = view_eq(key, "Issuer")          ? &sc->issuer
                  : view_eq(key, "Serial Number") ? &sc->serial
                  : view_eq(key, "Status")        ? &sc->status
                                                  : NULL;
    if (slot && !*slot) {
        *slot = dup_view(p, val);
        return *slot ? ST_OK : ST_NOMEM;
    }
    return ST_OK;
}

static enum status on_ssl_failed(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes func = grp(p, 1), sslfunc = grp(p, 2), dec = grp(p, 3), hex = grp(p, 4);
    struct icm_draft *d;
    TRY(draft_get(p, t, no, &d));
    d->failed = true;
    if (view_eq(sslfunc, "SSL_connect")) {
        set_side(p, d, EV_SIDE_CLIENT, no);
    } else if (view_eq(sslfunc, "SSL_accept")) {
        set_side(p, d, EV_SIDE_SERVER, no);
    }
    if (dec.len > 0) {
        TRY(note(p, d, no,
                 ev_printf(&p->ev->arena, "CommonCryptoLib error %.*s/0x%.*s in %.*s: %.*s()",
                           (int)dec.len, dec.ptr, (int)hex.len, hex.ptr, (int)func.len, func.ptr,
                           (int)sslfunc.len, sslfunc.ptr)));
    }
    return ST_OK;
}

static enum status on_dump(struct icm_parser *p, struct icm_thread *t, uint64_t no)
{
    struct bytes name = grp(p, 2), val = grp(p, 3);
    struct icm_draft *d;
    uint16_t suite;
    if (view_eq(name, "cert_len") && view_eq(val, "<no cert>")) {
        TRY(draft_get(p, t, no, &d));
        d->peer_no_cert = true;
        return statement(p, d, p->subject);
    }
    if (view_eq(name, "csuite_name")) {
        struct bytes s = val;
        if (s.len >= 2 && s.ptr[0] == '"' && s.ptr[s.len - 1] == '"') {
            s = (struct bytes){ .ptr = s.ptr + 1, .len = s.len - 2 };
        }
        TRY(draft_get(p, t, no, &d));
        d->established = true;
        if (suite_from_name(s, &suite)) {
            d->conn->sh.seen = true;
            d->conn->sh.suite = suite;
            d->conn->sh.ref = no;
            return ST_OK;
        }
        return note(p, d, no,
                    ev_printf(&p->ev->arena, "negotiated cipher suite %.*s", (int)s.len, s.ptr));
    }
    if (view_eq(name, "args") && t->d.conn) {
        if (view_has(val, "(SERVER)")) {
            set_side(p, &t->d, EV_SIDE_SERVER, no);
        } else if (view_has(val, "(CLIENT)")) {
            set_side(p, &t->d, EV_SIDE_CLIENT, no);
        }
        return note(p, &t->d, no, dup_view(p, p->subject));
    }
    return ST_OK;
}

static enum status on_stack_line(struct icm_parser *p, struct icm_thread *t, struct bytes pl,
                                 uint64_t no)
{
    struct icm_draft *d;
    if (match(p, PAT_STACK_ENTRY, pl)) {
        struct bytes code = grp(p, 1), comp = grp(p, 2), func = grp(p, 3);
        TRY(draft_get(p, t, no, &d));
        return note(p, d, no,
                    ev_printf(&p->ev->arena, "error stack: %.*s %.*s %.*s", (int)code.len, code.ptr,
                              (int)comp.len, comp.ptr, (int)func.len, func.ptr));
    }
    if (match(p, PAT_STACK_OLD, pl)) {
        struct bytes text = grp(p, 4);
        TRY(draft_get(p, t, no, &d));
        return statement(p, d, text);
    }
    if (match(p, PAT_SECUDE_ERROR, pl)) {
        struct bytes text = grp(p, 3);
        TRY(draft_get(p, t, no, &d));
        return statement(p, d, text);
    }
    return ST_UNSUPPORTED; /* not a stack line */
}

/* ---- the SSL initialisation block (format 3) ------------------------------ */

#define INIT_MASK                                                                                  \
    ((uint64_t)1 << PAT_INIT_FRAME | (uint64_t)1 << PAT_INIT_START | (uint64_t)1 << PAT_INIT_LIB | \
     (uint64_t)1 << PAT_INIT_CCL | (uint64_t)1 << PAT_INIT_SECUDIR | (uint64_t)1 << PAT_INIT_DPF | \
     (uint64_t)1 << PAT_INIT_READY)

static void init_open(struct icm_parser *p, const struct icm_thread *t, uint64_t no)
{
    p->init_in_file = true;
    p->init.seen = true;
    p->init.ref = no;
    p->init_open = true;
    snprintf(p->init_thread, sizeof p->init_thread, "%s", t->id);
}

/* A fact of the block: a copy may lack the "SSL Initialization" line. */
static void init_touch(struct icm_parser *p, const struct icm_thread *t, uint64_t no)
{
    if (!p->init.seen) {
        init_open(p, t, no);
    }
}

/* Stores group i of the last match in *dst (arena); an empty group keeps
 * *dst. */
static enum status init_set(struct icm_parser *p, char **dst, uint32_t i)
{
    struct bytes b = grp(p, i);
    if (b.len == 0) {
        return ST_OK;
    }
    *dst = dup_view(p, b);
    return *dst ? ST_OK : ST_NOMEM;
}

/* ST_UNSUPPORTED when the line is not part of an initialisation block; a
 * line of the block's thread that is not ends the block. */
static enum status on_init(struct icm_parser *p, struct icm_thread *t, struct bytes pl, uint64_t no)
{
    struct icm_ssl_init *in = &p->init;
    if (match(p, PAT_INIT_FRAME, pl)) {
        if (p->init_open && strcmp(t->id, p->init_thread) == 0) {
            in->ended = true; /* the closing frame */
            p->init_open = false;
        }
        return ST_OK;
    }
    if (match(p, PAT_INIT_START, pl)) {
        *in = (struct icm_ssl_init){ 0 }; /* a later block replaces an earlier one */
        init_open(p, t, no);
        return init_set(p, &in->platform, 1);
    }
    if (match(p, PAT_INIT_LIB, pl)) {
        init_touch(p, t, no);
        return init_set(p, &in->lib_path, 1);
    }
    if (match(p, PAT_INIT_CCL, pl)) {
        init_touch(p, t, no);
        TRY(init_set(p, &in->ccl_version, 1));
        return init_set(p, &in->ccl_date, 2);
    }
    if (match(p, PAT_INIT_SECUDIR, pl)) {
        init_touch(p, t, no);
        return init_set(p, &in->secudir, 1);
    }
    if (match(p, PAT_INIT_DPF, pl)) {
        struct bytes name = grp(p, 1);
        init_touch(p, t, no);
        if (view_eq(name, "ssl/ciphersuites")) {
            return init_set(p, &in->ciphersuites, 2);
        }
        if (view_eq(name, "ssl/client_ciphersuites")) {
            return init_set(p, &in->client_ciphersuites, 2);
        }
        return ST_OK; /* other parameters: not kept */
    }
    if (match(p, PAT_INIT_READY, pl)) {
        init_touch(p, t, no);
        in->ready = true;
        in->ready_ref = no;
        in->ended = true; /* the last line of the block */
        return ST_OK;
    }
    if (p->init_open && strcmp(t->id, p->init_thread) == 0) {
        if (pl.len > 0 && pl.ptr[0] == '=') {
            return ST_OK; /* build tuple, FIPS mode, OS user, "NOT creating Envvar" */
        }
        in->ended = true;
        p->init_open = false;
    }
    return ST_UNSUPPORTED;
}

/* ---- classification of one payload -------------------------------------- */

static enum status header_line(struct icm_parser *p, struct bytes pl, bool *ret_done)
{
    *ret_done = true;
    if (match(p, PAT_HEADER_TRC, pl)) {
        long v = 0;
        p->hdr.seen = true;
        if (view_long(grp(p, 2), &v) && v <= 99) {
            p->hdr.trc_level = (int)v;
        }
        view_to(p->hdr.release, sizeof p->hdr.release, grp(p, 3));
        return ST_OK;
    }
    if (match(p, PAT_HEADER_KV, pl)) {
        if (view_eq(grp(p, 1), "patchno")) {
            view_to(p->hdr.patchno, sizeof p->hdr.patchno, grp(p, 2));
        }
        return ST_OK;
    }
    *ret_done = false;
    return ST_OK;
}

/* A hex dump row (format 4.5): "<8-16 hex> <blanks> <6 digits> ... |<text>|".
 * Rows are application data, never TLS facts: they skip classification,
 * which is most of the work in a big level-3 trace. (Before this check a
 * 16-character phrase in the text column could be taken for a statement.) */
static bool hex_dump_row(struct bytes pl)
{
    size_t i = 0, hex = 0, digits = 0;
    if (pl.len < 8 + 1 + 6 + 1 + 2 || pl.ptr[pl.len - 1] != '|') {
        return false;
    }
    while (i < pl.len &&
           ((pl.ptr[i] >= '0' && pl.ptr[i] <= '9') || (pl.ptr[i] >= 'a' && pl.ptr[i] <= 'f'))) {
        i++, hex++;
    }
    if (hex < 8 || hex > 16 || i >= pl.len || pl.ptr[i] != ' ') {
        return false;
    }
    while (i < pl.len && pl.ptr[i] == ' ') {
        i++;
    }
    while (i < pl.len && pl.ptr[i] >= '0' && pl.ptr[i] <= '9') {
        i++, digits++;
    }
    return digits == 6 && i < pl.len && pl.ptr[i] == ' ' && memchr(pl.ptr + i, '|', pl.len - i);
}

static bool is_digit(uint8_t x)
{
    return x >= '0' && x <= '9';
}

/* PCRE2's \s without UCP: HT, LF, VT, FF, CR and space. */
static bool is_pcre_space(uint8_t x)
{
    return x == ' ' || (x >= '\t' && x <= '\r');
}

/* PAT_TIMESTAMP by hand (a third of a big trace's lines are timestamps):
 * "^(?:Mon|...|Sun) [A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d:\d{3} \d{4}\s*$".
 * Debug builds check it against the pattern on every line. */
static bool timestamp_line(struct bytes s)
{
    static const char days[] = "MonTueWedThuFriSatSun";
    const uint8_t *b = s.ptr;
    size_t n = s.len, i;
    if (!b || n < 27 || b[3] != ' ') {
        return false;
    }
    for (i = 0; i < 21; i += 3) {
        if (b[0] == (uint8_t)days[i] && b[1] == (uint8_t)days[i + 1] &&
            b[2] == (uint8_t)days[i + 2]) {
            break;
        }
    }
    if (i == 21 || !(b[4] >= 'A' && b[4] <= 'Z') || !(b[5] >= 'a' && b[5] <= 'z') ||
        !(b[6] >= 'a' && b[6] <= 'z') || b[7] != ' ') {
        return false;
    }
    i = 8;
    while (i < n && b[i] == ' ') {
        i++;
    }
    size_t d = 0;
    while (i < n && d < 3 && is_digit(b[i])) {
        i++, d++;
    }
    /* " dd:dd:dd:ddd dddd" (d: digit) follows the day of the month. */
    static const char shape[] = " dd:dd:dd:ddd dddd";
    if (d < 1 || d > 2 || n - i < sizeof shape - 1) {
        return false;
    }
    for (size_t k = 0; k < sizeof shape - 1; k++, i++) {
        if (shape[k] == 'd' ? !is_digit(b[i]) : b[i] != (uint8_t)shape[k]) {
            return false;
        }
    }
    while (i < n && is_pcre_space(b[i])) {
        i++;
    }
    return i == n;
}

static bool timestamp_match(struct icm_parser *p, struct bytes s)
{
    bool hit = timestamp_line(s);
#ifdef TLSDIAG_SELFCHECK
    static const uint8_t empty[1] = { 0 };
    int rc = pcre2_match(p->re[PAT_TIMESTAMP], s.ptr ? s.ptr : empty, s.len, 0, 0, p->md, p->mctx);
    assert(hit == (rc > 0));
#else
    (void)p;
#endif
    return hit;
}

static enum status classify(struct icm_parser *p, struct icm_thread *t, struct bytes pl,
                            uint64_t no)
{
    struct icm_draft *d;
    enum status st;

    if (hex_dump_row(pl)) {
        return ST_OK;
    }

    if (timestamp_match(p, pl)) {
        /* Moves the thread's clock only: never a boundary (format 4.2). */
        view_copy(t->ts, sizeof t->ts, pl);
        if (t->d.conn && !t->d.conn->has_stated_time) {
            t->d.conn->has_stated_time = ts_parse(t->ts, &t->d.conn->stated_time);
        }
        return ST_OK;
    }
    if (p->init_open || (subject_candidates(&p->pre, pl) & INIT_MASK)) {
        st = on_init(p, t, pl, no);
        if (st != ST_UNSUPPORTED) {
            return st;
        }
    }
    /* No pattern below can match: straight to the explanation check. */
    if (!(subject_candidates(&p->pre, pl) &
          ~((uint64_t)1 << PAT_TIMESTAMP | (uint64_t)1 << PAT_HEADER_TRC |
            (uint64_t)1 << PAT_HEADER_KV))) {
        goto explanation;
    }
    if (match(p, PAT_STACK_BEGIN, pl)) {
        TRY(draft_fresh(p, t, t->d.has_stack || concluded(t), no, &d));
        d->has_stack = true;
        d->in_stack = true;
        return ST_OK;
    }
    if (match(p, PAT_STACK_END, pl)) {
        if (t->d.conn) {
            t->d.in_stack = false;
            t->d.has_stack = true;
            TRY(touch(p, t->d.conn, no));
        }
        return ST_OK;
    }
    if (match(p, PAT_SUMMARY_NEW, pl)) {
        return on_summary_new(p, t, no);
    }
    if (match(p, PAT_SUMMARY_OLD, pl)) {
        return on_summary_old(p, t, no);
    }
    if (match(p, PAT_PROXY, pl)) {
        return on_proxy(p, t, no);
    }
    if (match(p, PAT_NICONN, pl)) {
        return on_niconn(p, t, no);
    }
    if (match(p, PAT_BARE_ERR, pl)) {
        return on_bare_error(p, t, no);
    }
    if (match(p, PAT_ERROR_DURING, pl)) {
        return on_error_during(p, t, no);
    }
    if (match(p, PAT_ERROR_GENERIC, pl)) {
        return on_error_generic(p, t, no);
    }
    if (match(p, PAT_CCL, pl)) {
        return on_ccl(p, t, no);
    }
    if (match(p, PAT_RETURN, pl)) {
        return on_return(p, t, no);
    }
    if (match(p, PAT_STATE, pl)) {
        return on_state(p, t, no);
    }
    if (match(p, PAT_NI, pl)) {
        return on_ni(p, t, no);
    }
    if (match(p, PAT_PSE, pl)) {
        return on_pse(p, t, no);
    }
    if (match(p, PAT_CIPHERS, pl)) {
        return on_ciphers(p, t, no);
    }
    if (match(p, PAT_PVFLAGS, pl)) {
        return on_pvflags(p, t, no);
    }
    if (match(p, PAT_SNI, pl)) {
        return on_sni(p, t, no);
    }
    if (match(p, PAT_TARGET, pl)) {
        return on_target(p, t, no);
    }
    if (match(p, PAT_SERVERCERT, pl)) {
        return on_servercert(p, t, no);
    }
    if (match(p, PAT_SSL_FAILED, pl)) {
        return on_ssl_failed(p, t, no);
    }
    if (match(p, PAT_SIRECV, pl)) {
        TRY(draft_get(p, t, no, &d));
        return statement(p, d, pl);
    }
    st = on_stack_line(p, t, pl, no);
    if (st != ST_UNSUPPORTED) {
        return st;
    }
    if (match(p, PAT_TREE, pl)) {
        return on_tree(p, t, no);
    }
    if (match(p, PAT_DUMP, pl)) {
        return on_dump(p, t, no);
    }
    if (match(p, PAT_ALERT, pl)) {
        struct bytes words = grp(p, 1), sentence = grp(p, 0);
        TRY(draft_get(p, t, no, &d));
        TRY(statement(p, d, sentence)); /* once, quoted or not */
        return on_alert_words(p, d, words, no);
    }
    if (match(p, PAT_PHRASE, pl)) {
        struct bytes phrase = grp(p, 1);
        /* "Peer not trusted" opens a verification stack: before the summary. */
        TRY(draft_fresh(p, t, view_eq(phrase, "Peer not trusted") && concluded(t), no, &d));
        if (view_has(phrase, "client did not") || view_has(phrase, "intermediary")) {
            set_side(p, d, EV_SIDE_SERVER, no); /* reverse-proxy checks run in the server */
        }
        if (view_has(phrase, "client did not")) {
            d->peer_no_cert = true;
        }
        /* The HTTP handler drops the forwarded client certificate (format
         * 10.8); "client did not sent any cert" alone is the no-certificate
         * case the sentence after it confirms. */
        if ((view_has(phrase, "intermediary") || view_has(phrase, "remove SSL header")) &&
            d->conn->intermediary == EV_INTERMEDIARY_NOT_STATED) {
            d->conn->intermediary = EV_INTERMEDIARY_UNTRUSTED;
            d->conn->intermediary_ref = no;
        }
        return statement(p, d, pl);
    }
explanation:
    /* The explanation following a summary (format 5.2). */
    if (t->expect_expl && t->d.conn && pl.len > 0) {
        if (!t->d.conn->error_text) {
            t->d.conn->error_text = dup_view(p, pl);
            if (!t->d.conn->error_text) {
                return ST_NOMEM;
            }
        }
        TRY(touch(p, t->d.conn, no));
    }
    return ST_OK;
}

/* "[Thr <id>] <payload>" (format 4.1, regex ^\[Thr ([^\]]*)\] ?(.*)$), by
 * hand: it runs on every line, before the prefilter can help. */
static bool split_prefix(struct bytes line, struct bytes *ret_id, struct bytes *ret_payload)
{
    static const char head[] = "[Thr ";
    size_t n = sizeof head - 1;
    if (line.len < n || !line.ptr || memcmp(line.ptr, head, n) != 0) {
        return false; /* view_starts without its strlen: this runs on every line */
    }
    const uint8_t *close = memchr(line.ptr + n, ']', line.len - n);
    if (!close) {
        return false;
    }
    size_t at = (size_t)(close - line.ptr) + 1;
    if (at < line.len && line.ptr[at] == ' ') {
        at++;
    }
    *ret_id = (struct bytes){ .ptr = line.ptr + n, .len = (size_t)(close - line.ptr) - n };
    *ret_payload = (struct bytes){ .ptr = line.ptr + at, .len = line.len - at };
    return true;
}

enum status icm_parser_feed_line(struct icm_parser *p, struct bytes line, uint64_t line_no)
{
    struct icm_thread *t;
    struct bytes payload;

    struct bytes id;
    p->pre = (struct subject_set){ 0 }; /* buffers are reused from line to line */
    if (split_prefix(line, &id, &payload)) {
        t = thread_select(p, id);
        p->prefixed_seen = true;
    } else {
        payload = line;
        if (!p->prefixed_seen) {
            bool done = false;
            TRY(header_line(p, view_ltrim(line), &done));
            if (done) {
                return ST_OK;
            }
        }
        t = cur_thread(p);
        if (!t) {
            t = thread_select(p, (struct bytes){ 0 }); /* the anonymous thread */
        }
    }
    bool expl = t->expect_expl;
    uint64_t errors = p->match_errors;
    p->line_no = line_no;
    enum status st = classify(p, t, view_ltrim(payload), line_no);
    if (expl) {
        t->expect_expl = false; /* only the line right after a summary */
    }
    if (st == ST_OK && p->match_errors != errors && t->d.conn) {
        st = soft(ev_note_add(p->ev, t->d.conn, ST_LIMIT, line_no, 0, EV_FROM_CLIENT,
                              "pattern match limit reached: line not fully classified"));
    }
    return st;
}

static bool is_word_byte(uint8_t x)
{
    return (x >= '0' && x <= '9') || (x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || x == '_';
}

/* Could on_return keep anything of this line? PAT_RETURN is
 * "^(?:<<- )?(ERROR: )?(\w+)\((?:sssl_hdl=(hex)...": only a function
 * named SapSSLSessionStart* or an argument list opening with "sssl_hdl="
 * matter. A line of another shape does not match at all. */
static bool return_matters(struct bytes pl)
{
    struct bytes rest = pl;
    if (view_starts(rest, "<<- ")) {
        rest = (struct bytes){ .ptr = rest.ptr + 4, .len = rest.len - 4 };
    }
    if (view_starts(rest, "ERROR: ")) {
        rest = (struct bytes){ .ptr = rest.ptr + 7, .len = rest.len - 7 };
    }
    size_t n = 0;
    while (n < rest.len && is_word_byte(rest.ptr[n])) {
        n++;
    }
    if (n == 0 || n == rest.len || rest.ptr[n] != '(') {
        return false;
    }
    struct bytes args = { .ptr = rest.ptr + n + 1, .len = rest.len - n - 1 };
    return view_starts(rest, "SapSSLSessionStart") || view_starts(args, "sssl_hdl=");
}

/* The bulk of a big trace, handled without the general path: a timestamp
 * line, a hex dump row, or a line no pattern can match, of a prefixed
 * thread, while nothing spans lines (the header, an initialisation block,
 * a held "failed:" line, an explanation due on this thread). The effects
 * are those of icm_parser_feed_line on the same line. False: nothing was
 * done that the general path would not do again; feed the line. The
 * caller knows the line is ASCII without NUL bytes and not the first. */
static bool fast_line(struct icm_parser *p, struct bytes line)
{
    struct bytes id, pl;
    if (p->holding || p->init_open || !p->prefixed_seen || !split_prefix(line, &id, &pl)) {
        return false;
    }
    struct icm_thread *t = thread_select(p, id);
    if (t->expect_expl) {
        return false;
    }
    pl = view_ltrim(pl);
    if (hex_dump_row(pl)) {
        return true;
    }
    if (timestamp_line(pl)) {
        view_copy(t->ts, sizeof t->ts, pl);
        if (t->d.conn && !t->d.conn->has_stated_time) {
            t->d.conn->has_stated_time = ts_parse(t->ts, &t->d.conn->stated_time);
        }
        return true;
    }
    if (ends_with_failed(pl)) {
        return false; /* waits for its continuation (feed_joined) */
    }
    p->pre = (struct subject_set){ 0 };
    uint64_t cand = subject_candidates(&p->pre, pl) &
                    ~((uint64_t)1 << PAT_TIMESTAMP | (uint64_t)1 << PAT_HEADER_TRC |
                      (uint64_t)1 << PAT_HEADER_KV);
    if (cand == 0) {
        return true;
    }
    for (unsigned k = 0; k < PAT_COUNT; k++) {
        if ((cand >> k & 1) && prefilter[k].kind == PRE_START &&
            !prefilter_pass(&p->pre, (enum icm_pat)k, pl)) {
            cand &= ~((uint64_t)1 << k); /* a candidate by its first byte only */
        }
    }
    if (cand == 0) {
        return true;
    }
    /* "<<- SapSSLSetTraceFile(fp=...)==SAP_O_K" and other API return
     * markers without a handle: on_return keeps only SapSSLSessionStart*
     * and handles, and no other pattern is a candidate. */
    return cand == (uint64_t)1 << PAT_RETURN && !return_matters(pl);
}

/* ---- life cycle --------------------------------------------------------- */

struct icm_parser *icm_parser_new(struct evidence *ev, const char *path)
{
    struct icm_parser *p = calloc(1, sizeof *p);
    if (!p) {
        return NULL;
    }
    p->ev = ev;
    p->cur = CAP_ICM_THREADS;
    for (size_t i = 0; i < sizeof p->recent / sizeof p->recent[0]; i++) {
        p->recent[i] = CAP_ICM_THREADS;
    }
    p->path = ev_strdup(&ev->arena, path ? path : "");
    p->threads = calloc(CAP_ICM_THREADS, sizeof *p->threads);
    p->md = pcre2_match_data_create(16, NULL);
    p->mctx = pcre2_match_context_create(NULL);
    if (!p->path || !p->threads || !p->md || !p->mctx) {
        icm_parser_free(p);
        return NULL;
    }
    pcre2_set_match_limit(p->mctx, CAP_ICM_MATCH_LIMIT);
    pcre2_set_depth_limit(p->mctx, CAP_ICM_DEPTH_LIMIT);
    if (!icm_patterns_get()) {
        icm_parser_free(p);
        return NULL;
    }
    p->re = shared_re;
    return p;
}

void icm_parser_finish(struct icm_parser *p)
{
    if (p) {
        /* A held line only waits for a continuation; a full arena is
         * already recorded by the caller's earlier status. */
        (void)flush_held(p);
        draft_close_all(p);
    }
}

/* ---- rotated files --------------------------------------------------------- */

/* The end of one trace file: open attempts are written out as they stand
 * and stay open, so that the next file (the one after a rotation) can go
 * on with them. */
static void parser_pause(struct icm_parser *p)
{
    (void)flush_held(p); /* a wrapped line does not span files */
    for (size_t i = 0; i < CAP_ICM_THREADS; i++) {
        if (p->threads[i].used) {
            draft_finalize(p, &p->threads[i].d);
        }
    }
}

static void carry_free(void *carry)
{
    icm_parser_free(carry);
}

/* The latest clock of any thread. */
static bool parser_last_time(const struct icm_parser *p, struct ev_time *ret)
{
    bool any = false;
    for (size_t i = 0; i < CAP_ICM_THREADS; i++) {
        struct ev_time t;
        if (p->threads[i].used && p->threads[i].ts[0] && ts_parse(p->threads[i].ts, &t) &&
            (!any || t.sec > ret->sec || (t.sec == ret->sec && t.nsec > ret->nsec))) {
            *ret = t;
            any = true;
        }
    }
    return any;
}

/* The parser of the trace file read before `path` when `path` goes on
 * from it: its first timestamp is not before the previous file's last one
 * (1 s of slack) and at most CAP_ICM_CARRY_GAP_SECONDS after it. Files are
 * read oldest first (analyzer/inputs_order.c), so dev_icm.old's attempt cut
 * by the rotation continues in dev_icm. NULL otherwise (and for the same
 * file given twice): the previous file's attempts stay as written out. */
static struct icm_parser *carry_take(struct evidence *ev, const char *path)
{
    struct icm_parser *p = ev->icm_carry;
    struct ev_time first = { 0 }, last = { 0 };
    if (!p) {
        return NULL;
    }
    ev->icm_carry = NULL;
    ev->icm_carry_free = NULL;
    if (strcmp(p->path, path) == 0 || !icm_first_time(path, &first) ||
        !parser_last_time(p, &last) || first.sec + 1 < last.sec ||
        first.sec - last.sec > (int64_t)CAP_ICM_CARRY_GAP_SECONDS) {
        icm_parser_free(p);
        return NULL;
    }
    p->path = ev_strdup(&ev->arena, path);
    if (!p->path) {
        icm_parser_free(p);
        return NULL;
    }
    p->hdr = (struct icm_header){ 0 }; /* header and block facts are per file */
    p->prefixed_seen = false;
    p->init_in_file = false;
    return p;
}

const struct icm_header *icm_parser_header(const struct icm_parser *p)
{
    return &p->hdr;
}

const struct icm_ssl_init *icm_parser_ssl_init(const struct icm_parser *p)
{
    return &p->init;
}

void icm_parser_free(struct icm_parser *p)
{
    if (!p) {
        return;
    }
    pcre2_match_data_free(p->md);
    pcre2_match_context_free(p->mctx);
    free(p->threads);
    free(p->obuf);
    free(p->held);
    free(p);
}

/* ---- sniffing ------------------------------------------------------------ */

/* "N  SncInit(): ...", "M Sun Nov 22 ...", "B  create_con": the one-letter
 * component code of kernel traces other than dev_icm (format 1). */
static bool component_line(struct bytes l)
{
    if (l.len < 3 || l.ptr[0] < 'A' || l.ptr[0] > 'Z' || (l.ptr[1] != ' ' && l.ptr[1] != '\t')) {
        return false;
    }
    for (size_t i = 2; i < l.len; i++) {
        if (l.ptr[i] != ' ' && l.ptr[i] != '\t') {
            return l.ptr[i] != '\r';
        }
    }
    return false;
}

/* "ssl_debug(<n>): " anywhere in the line (iSaSSL, format 1). */
static bool isassl_line(struct bytes l)
{
    static const char key[] = "ssl_debug(";
    const size_t n = sizeof key - 1;
    for (size_t at = 0; at + n < l.len;) {
        const uint8_t *hit = memmem(l.ptr + at, l.len - at, key, n);
        if (!hit) {
            return false;
        }
        size_t i = (size_t)(hit - l.ptr) + n, d = i;
        while (i < l.len && is_digit(l.ptr[i])) {
            i++;
        }
        if (i > d && i + 1 < l.len && l.ptr[i] == ')' && l.ptr[i + 1] == ':') {
            return true;
        }
        at = (size_t)(hit - l.ptr) + 1;
    }
    return false;
}

/* Lines that say nothing about the writer: blank, dashes, the header's
 * "trc file:" and "*" lines. */
static bool neutral_line(struct bytes l)
{
    struct bytes t = view_ltrim(l);
    while (t.len > 0 && (t.ptr[t.len - 1] == '\r' || t.ptr[t.len - 1] == ' ')) {
        t.len--;
    }
    if (t.len == 0 || t.ptr[0] == '*' || view_starts(t, "trc file:")) {
        return true;
    }
    for (size_t i = 0; i < t.len; i++) {
        if (t.ptr[i] != '-') {
            return false;
        }
    }
    return true;
}

enum icm_foreign icm_sniff_foreign(const uint8_t *head, size_t len, char *msg, size_t msglen)
{
    static const char trc[] = "trc file: \"";
    char name[32] = "";
    size_t thr = 0, comp = 0, ssl_debug = 0, content = 0;
    if (!head || len == 0) {
        return ICM_FOREIGN_NONE;
    }
    const uint8_t *h = memmem(head, len, trc, sizeof trc - 1);
    if (h) {
        size_t at = (size_t)(h - head) + sizeof trc - 1, k = 0;
        while (at < len && head[at] != '"' && head[at] != '\n' && k + 1 < sizeof name) {
            uint8_t x = head[at++];
            name[k++] = (char)(x >= 0x20 && x < 0x7f ? x : '?');
        }
        name[k] = '\0';
    }
    for (size_t at = 0; at < len;) {
        const uint8_t *nl = memchr(head + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - head) : len;
        struct bytes l = { .ptr = head + at, .len = end - at };
        at = end + 1;
        if (neutral_line(l)) {
            continue;
        }
        content++;
        if (view_starts(l, "[Thr ")) {
            thr++;
        } else if (component_line(l)) {
            comp++;
        }
        if (isassl_line(l)) {
            ssl_debug++;
        }
    }
    enum icm_foreign kind = ICM_FOREIGN_NONE;
    const char *what = "";
    bool named_icm = strncmp(name, "dev_icm", 7) == 0;
    bool named_w =
        strncmp(name, "dev_w", 5) == 0 && (name[5] == '\0' || is_digit((uint8_t)name[5]));
    if (ssl_debug > 0 && ssl_debug > thr) {
        kind = ICM_FOREIGN_ISASSL;
        what = "an SAP Cloud Connector / AS Java SSL debug trace (iSaSSL ssl_debug)";
    } else if (!named_icm && (named_w || (comp >= 3 && comp > thr && 2 * comp >= content))) {
        kind = ICM_FOREIGN_DEV_W;
        what =
            named_w || !name[0] ? "a work-process trace" : "an SAP kernel trace of another process";
    }
    if (kind != ICM_FOREIGN_NONE && msg && msglen > 0) {
        if (kind == ICM_FOREIGN_DEV_W) {
            snprintf(msg, msglen,
                     "not an ICM trace: this looks like %s (%s) - tlsdiag reads dev_icm", what,
                     name[0] ? name : "dev_w*");
        } else {
            snprintf(msg, msglen, "not an ICM trace: this looks like %s - tlsdiag reads dev_icm",
                     what);
        }
    }
    return kind;
}

bool icm_sniff(const uint8_t *head, size_t len)
{
    static const char *const markers[] = {
        "[Thr ",       "*** ERROR =>", "CCL[SSL]:",          "SSSLERR_",
        "SSSLRC_",     "SSLERR_",      "trc file: \"",       "SapSSL",
        "IcmConnInit", "NIECONN_",     "SSL handshake with", "ICM_HTTP_",
        "SecuSSL",     "Secu-SSL",     "Secude-SSL",
    };
    if (!head || len == 0 || icm_sniff_foreign(head, len, NULL, 0) != ICM_FOREIGN_NONE) {
        return false;
    }
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        if (memmem(head, len, markers[i], strlen(markers[i]))) {
            return true;
        }
    }
    return false;
}

/* ---- line decoding (buffer code) ---------------------------------------- */

struct obuf {
    uint8_t *p;
    size_t len, cap;
};

static void ob_put(struct obuf *o, uint8_t x)
{
    if (o->len < o->cap) {
        o->p[o->len++] = x;
    }
}

static bool utf8_valid(struct bytes b)
{
    struct parse_error err = { 0 };
    struct cursor c;
    uint8_t x, y;
    cur_init_bytes(&c, b, 0, &err);
    while (cur_u8(&c, &x) == ST_OK) {
        unsigned more;
        uint32_t cp, min;
        if (x < 0x80) {
            continue;
        } else if ((x & 0xe0) == 0xc0) {
            more = 1, cp = x & 0x1f, min = 0x80;
        } else if ((x & 0xf0) == 0xe0) {
            more = 2, cp = x & 0x0f, min = 0x800;
        } else if ((x & 0xf8) == 0xf0) {
            more = 3, cp = x & 0x07, min = 0x10000;
        } else {
            return false;
        }
        while (more-- > 0) {
            if (cur_u8(&c, &y) != ST_OK || (y & 0xc0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (y & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
    }
    return true;
}

/* Typographic quotes to ASCII ("„xxxSAPSSLC.pse“" in web copies). */
static uint8_t quote_of(uint32_t cp)
{
    switch (cp) {
    case 0x2018:
    case 0x2019:
    case 0x201a:
        return '\'';
    case 0x201c:
    case 0x201d:
    case 0x201e:
        return '"';
    default:
        return 0;
    }
}

/* One raw line to UTF-8 with ASCII quotes, into o. */
static void decode_line(struct bytes raw, struct obuf *o)
{
    struct parse_error err = { 0 };
    struct cursor c;
    uint8_t x, y, z;
    bool utf8 = utf8_valid(raw);
    o->len = 0;
    cur_init_bytes(&c, raw, 0, &err);
    while (cur_u8(&c, &x) == ST_OK) {
        if (x < 0x80) {
            ob_put(o, x);
        } else if (!utf8) {
            /* Latin-1, with the CP1252 quotes web pages produce. */
            uint8_t q = (x == 0x84 || x == 0x93 || x == 0x94) ? '"'
                        : (x == 0x91 || x == 0x92)            ? '\''
                                                              : 0;
            if (q) {
                ob_put(o, q);
            } else {
                ob_put(o, (uint8_t)(0xc0 | x >> 6));
                ob_put(o, (uint8_t)(0x80 | (x & 0x3f)));
            }
        } else if (x == 0xe2 && cur_left(&c) >= 2 && cur_u8(&c, &y) == ST_OK &&
                   cur_u8(&c, &z) == ST_OK) {
            uint32_t cp = (uint32_t)(x & 0x0f) << 12 | (uint32_t)(y & 0x3f) << 6 | (z & 0x3f);
            uint8_t q = quote_of(cp);
            if (q) {
                ob_put(o, q);
            } else {
                ob_put(o, x);
                ob_put(o, y);
                ob_put(o, z);
            }
        } else {
            ob_put(o, x);
        }
    }
}

static void ob_append(struct obuf *o, struct bytes b)
{
    for (size_t i = 0; i < b.len; i++) {
        ob_put(o, b.ptr[i]);
    }
}

static bool ends_with_failed(struct bytes b)
{
    static const char tail[] = "failed:";
    size_t n = sizeof tail - 1;
    if (!b.ptr) {
        return false;
    }
    while (b.len > 0 && (b.ptr[b.len - 1] == ' ' || b.ptr[b.len - 1] == '\t')) {
        b.len--;
    }
    return b.len >= n && memcmp(b.ptr + b.len - n, tail, n) == 0;
}

static bool starts_with_error_name(struct bytes b)
{
    static const char *const heads[] = { "SSSL", "SSLERR_", "NIE" };
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        if (view_starts(b, heads[i])) {
            return true;
        }
    }
    return false;
}

static enum status flush_held(struct icm_parser *p)
{
    if (!p->holding) {
        return ST_OK;
    }
    p->holding = false;
    return icm_parser_feed_line(p, (struct bytes){ .ptr = p->held, .len = p->held_len },
                                p->held_no);
}

/* ABAP copies wrap anywhere; the known case is a summary cut after
 * "failed:" with the error name on the next line (format 4.5): such a line
 * waits for the next one and both are matched as one. */
static enum status feed_joined(struct icm_parser *p, struct bytes line, uint64_t no)
{
    if (p->holding) {
        struct bytes next = view_ltrim(line);
        if (starts_with_error_name(next) && p->held_len + 1 + next.len <= p->held_cap) {
            struct obuf o = { .p = p->held, .len = p->held_len, .cap = p->held_cap };
            ob_put(&o, ' ');
            ob_append(&o, next);
            p->held_len = o.len;
            return flush_held(p);
        }
        TRY(flush_held(p));
    }
    if (ends_with_failed(line)) {
        if (!p->held) {
            p->held_cap = 2 * (size_t)CAP_LINE_MAX + 8;
            p->held = malloc(p->held_cap);
            if (!p->held) {
                return ST_NOMEM;
            }
        }
        struct obuf o = { .p = p->held, .cap = p->held_cap };
        ob_append(&o, line);
        p->held_len = o.len;
        p->held_no = no;
        p->holding = true;
        return ST_OK;
    }
    return icm_parser_feed_line(p, line, no);
}

/* Feeds one decoded line; in unprefixed lines '#' is a line break (ABAP copies). */
static enum status feed_decoded(struct icm_parser *p, struct bytes line, uint64_t no)
{
    bool prefixed = view_starts(line, "[Thr ");
    if (prefixed || !line.ptr || !memchr(line.ptr, '#', line.len)) {
        return feed_joined(p, line, no);
    }
    struct parse_error err = { 0 };
    struct cursor c;
    cur_init_bytes(&c, line, 0, &err);
    for (;;) {
        struct bytes rest = cur_rest(&c), piece;
        const uint8_t *hash = rest.len ? memchr(rest.ptr, '#', rest.len) : NULL;
        size_t n = hash ? (size_t)(hash - rest.ptr) : rest.len;
        TRY(cur_take(&c, n, &piece));
        TRY(feed_joined(p, piece, no));
        if (!hash) {
            return ST_OK;
        }
        TRY(cur_skip(&c, 1));
    }
}

/* Most trace lines are ASCII: they need no decoding step. */
static bool ascii_only(struct bytes b)
{
    uint8_t any = 0;
    for (size_t i = 0; i < b.len; i++) {
        any |= b.ptr[i]; /* a plain reduction: compilers vectorize it */
    }
    return (any & 0x80) == 0;
}

/* known_ascii: the caller saw that the whole block holding raw is ASCII. */
static enum status feed_raw(struct icm_parser *p, struct bytes raw, uint64_t no, bool known_ascii)
{
    if (!p->obuf) {
        p->obuf_cap = 2 * (size_t)CAP_LINE_MAX + 8;
        p->obuf = malloc(p->obuf_cap);
        if (!p->obuf) {
            return ST_NOMEM;
        }
    }
    if (no == 1 && view_starts(raw, "\xef\xbb\xbf")) {
        raw = (struct bytes){ .ptr = raw.ptr + 3, .len = raw.len - 3 }; /* UTF-8 BOM */
    }
    if (known_ascii || ascii_only(raw)) {
        return feed_decoded(p, raw, no); /* nothing to decode: no copy */
    }
    struct obuf o = { .p = p->obuf, .cap = p->obuf_cap };
    decode_line(raw, &o);
    return feed_decoded(p, (struct bytes){ .ptr = o.p, .len = o.len }, no);
}

enum status icm_parse_buffer(struct icm_parser *p, const uint8_t *buf, size_t len,
                             uint64_t *ret_lines)
{
    struct parse_error err = { 0 };
    struct cursor c;
    struct bytes line;
    uint64_t no = 0;
    enum status st;
    /* Lines holding NUL bytes or non-ASCII ones take the general path. */
    bool ascii = len > 0 && !memchr(buf, '\0', len) && ascii_only((struct bytes){ buf, len });
    cur_init(&c, buf, len, 0, &err);
    for (;;) {
        st = cur_line(&c, CAP_LINE_MAX, &line);
        if (st == ST_INCOMPLETE) {
            if (cur_left(&c) == 0) {
                break;
            }
            line = cur_rest(&c); /* last line without terminator */
            cur_skip_rest(&c);
            if (line.len > CAP_LINE_MAX) {
                no++;
                break;
            }
            if (line.len > 0 && line.ptr[line.len - 1] == '\r') {
                line.len--;
            }
        } else if (st == ST_LIMIT) {
            err = (struct parse_error){ 0 };
            if (cur_line(&c, SIZE_MAX, &line) != ST_OK) {
                break;
            }
            no++;
            continue; /* overlong line skipped */
        } else if (st != ST_OK) {
            break;
        }
        ++no;
        /* The same fast path as icm_read_file, so that tests and the fuzz
         * target go through it. */
        if (no > 1 && ascii && fast_line(p, line)) {
            continue;
        }
        TRY(feed_raw(p, line, no, false));
    }
    icm_parser_finish(p);
    if (ret_lines) {
        *ret_lines = no;
    }
    return ST_OK;
}

/* ---- files ----------------------------------------------------------------- */

/* A line skipped as unreadable (longer than CAP_LINE_MAX, or holding NUL
 * bytes: binary data, or the zero blocks a crash leaves in a log file). */
static void skip_line(struct ev_input *in, uint64_t no, uint64_t *first)
{
    in->skipped++;
    if (*first == 0) {
        *first = no;
    }
}

/* Feeds one complete line, or skips it when it holds NUL bytes. */
static enum status read_line(struct icm_parser *p, struct ev_input *in, struct bytes line,
                             uint64_t no, uint64_t *first_skipped, bool block_has_nul,
                             bool block_ascii)
{
    if (block_has_nul && line.len > 0 && memchr(line.ptr, '\0', line.len)) {
        skip_line(in, no, first_skipped);
        return ST_OK;
    }
    if (block_ascii && !block_has_nul && no > 1 && fast_line(p, line)) {
        return ST_OK;
    }
    return feed_raw(p, line, no, block_ascii);
}

/* Header and initialisation facts into the input (arena strings stay). */
static void input_facts(struct evidence *ev, struct ev_input *in, const struct icm_parser *p)
{
    static const struct icm_ssl_init none = { 0 };
    const struct icm_header *h = &p->hdr;
    /* A block of an earlier (rotated) file is that file's fact. */
    const struct icm_ssl_init *i = p->init_in_file ? &p->init : &none;
    if (h->seen) {
        in->header_seen = true;
        in->trace_level = h->trc_level;
        in->release = h->release[0] ? ev_strdup(&ev->arena, h->release) : NULL;
        in->patch = h->patchno[0] ? ev_strdup(&ev->arena, h->patchno) : NULL;
    }
    in->ssl_init_seen = i->seen;
    in->ssl_init_ended = i->ended;
    in->ssl_ready_seen = i->ready;
    in->ssl_init_ref = i->ref;
    in->ssl_ready_ref = i->ready_ref;
    in->crypto_lib_version = i->ccl_version;
    in->crypto_lib_date = i->ccl_date;
    in->crypto_lib_path = i->lib_path;
    in->secudir = i->secudir;
    in->ssl_ciphersuites = i->ciphersuites;
    in->ssl_client_ciphersuites = i->client_ciphersuites;
}

enum status icm_read_file(struct evidence *ev, const char *path, char *errbuf, size_t errlen)
{
    enum status st = ST_OK;
    uint64_t no = 0, total = 0, first_skipped = 0;
    bool skipping = false, keep = false;
    size_t have = 0, cap = (size_t)CAP_LINE_MAX + CAP_ICM_READ_BLOCK;
    uint8_t *buf = NULL;
    struct icm_parser *p = NULL;
    struct ev_input *in = NULL;

    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
        return ST_UNSUPPORTED;
    }
    in = ev_input_add(ev, path, EV_IN_ICM);
    p = carry_take(ev, path);
    if (!p) {
        p = icm_parser_new(ev, path);
    }
    buf = malloc(cap);
    if (!in || !p || !buf) {
        snprintf(errbuf, errlen, "%s: out of memory", path);
        st = ST_NOMEM;
        goto out;
    }
    for (;;) {
        size_t n = fread(buf + have, 1, cap - have, f);
        bool eof = n == 0;
        if (eof && ferror(f)) {
            snprintf(errbuf, errlen, "%s: read error after line %llu: %s", path,
                     (unsigned long long)no, strerror(errno));
            in->error = ev_strdup(&ev->arena, "read error");
            in->error_ref = no;
            in->truncated = true;
            st = ST_TRUNCATED;
            break;
        }
        have += n;
        total += n;
        /* One look for NUL bytes per block instead of one per line. */
        bool has_nul = have > 0 && memchr(buf, '\0', have) != NULL;
        bool ascii = ascii_only((struct bytes){ .ptr = buf, .len = have });

        struct parse_error err = { 0 };
        struct cursor c;
        struct bytes line;
        cur_init(&c, buf, have, 0, &err);
        for (;;) {
            enum status ls = cur_line(&c, CAP_LINE_MAX, &line);
            if (ls == ST_LIMIT) {
                err = (struct parse_error){ 0 };
                if (cur_line(&c, SIZE_MAX, &line) != ST_OK) {
                    break;
                }
                no++;
                if (skipping) {
                    skipping = false; /* the tail of a line counted already */
                    continue;
                }
                skip_line(in, no, &first_skipped);
                continue;
            }
            if (ls != ST_OK) {
                break;
            }
            no++;
            if (skipping) {
                skipping = false; /* the tail of an overlong line */
                continue;
            }
            st = read_line(p, in, line, no, &first_skipped, has_nul, ascii);
            if (st != ST_OK) {
                snprintf(errbuf, errlen, "%s:%llu: %s", path, (unsigned long long)no,
                         status_name(st));
                goto out;
            }
        }
        size_t used = (size_t)cur_offset(&c);
        memmove(buf, buf + used, have - used);
        have -= used;
        if (have == cap) {
            if (!skipping) {
                skip_line(in, no + 1, &first_skipped); /* counted once however long */
            }
            skipping = true; /* a line longer than CAP_LINE_MAX: drop it */
            have = 0;
        }
        if (eof) {
            if (have > 0 && !skipping) {
                struct bytes last = { .ptr = buf, .len = have };
                if (last.ptr[last.len - 1] == '\r') {
                    last.len--;
                }
                st = read_line(p, in, last, ++no, &first_skipped, has_nul, ascii);
                if (st != ST_OK) {
                    snprintf(errbuf, errlen, "%s:%llu: %s", path, (unsigned long long)no,
                             status_name(st));
                    goto out;
                }
            } else if (have > 0) {
                no++;
            }
            break;
        }
    }
    if (st == ST_OK && in->skipped > 0) {
        /* The rest was read: results stand, the exit status says "partly". */
        snprintf(errbuf, errlen,
                 "%s: %llu line(s) skipped as unreadable (longer than %u bytes or holding NUL "
                 "bytes), the first at line %llu; results are for the rest",
                 path, (unsigned long long)in->skipped, (unsigned)CAP_LINE_MAX,
                 (unsigned long long)first_skipped);
        in->error = ev_strdup(&ev->arena, "lines skipped as unreadable (overlong or NUL bytes)");
        in->error_ref = first_skipped;
        st = ST_TRUNCATED;
    }
out:
    /* Read (if partly): the open attempts are written out and stay open for
     * the next trace file of this evidence (rotated files, carry_take). */
    keep = p && in && (st == ST_OK || st == ST_TRUNCATED);
    if (keep) {
        parser_pause(p);
    } else if (p) {
        icm_parser_finish(p);
    }
    if (in) {
        in->units = no;
        in->bytes = total;
    }
    if (in && p) {
        input_facts(ev, in, p);
    }
    if (keep) {
        if (ev->icm_carry && ev->icm_carry_free) {
            ev->icm_carry_free(ev->icm_carry); /* not taken (a file in between failed) */
        }
        ev->icm_carry = p;
        ev->icm_carry_free = carry_free;
    } else {
        icm_parser_free(p);
    }
    free(buf);
    fclose(f);
    return st;
}

/* ---- first timestamp of a file ------------------------------------------- */

static bool day_name(struct bytes b)
{
    static const char *const days[] = { "Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun " };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        if (view_starts(b, days[i])) {
            return true;
        }
    }
    return false;
}

bool icm_first_time(const char *path, struct ev_time *ret)
{
    bool found = false;
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(CAP_ICM_FIRST_TIME_SCAN);
    size_t n = (f && buf) ? fread(buf, 1, CAP_ICM_FIRST_TIME_SCAN, f) : 0;
    struct parse_error err = { 0 };
    struct cursor c;
    struct bytes line, id, payload;
    cur_init(&c, buf, n, 0, &err);
    while (!found && cur_line(&c, CAP_LINE_MAX, &line) == ST_OK) {
        if (!split_prefix(line, &id, &payload)) {
            payload = line;
        }
        payload = view_ltrim(payload);
        if (payload.len < 48 && day_name(payload)) {
            char text[48];
            view_copy(text, sizeof text, payload);
            found = ts_parse(text, ret);
        }
    }
    free(buf);
    if (f) {
        fclose(f);
    }
    return found;
}
