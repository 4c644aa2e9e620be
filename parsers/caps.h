/*
 * caps.h - every hard limit of tlsdiag in one place (STYLE.md section 5).
 * Hitting one of these is ST_LIMIT, reported as evidence, never a crash.
 * The numbers are generous for real handshakes (a CertificateRequest with
 * 1000 CA names is ~100 KB, a long chain ~30 KB) and keep a hostile capture
 * inside a fixed memory budget.
 */
#ifndef TLSDIAG_CAPS_H
#define TLSDIAG_CAPS_H

/* TCP reassembly */
#define CAP_REASM_BYTES_PER_DIR (1u << 20) /* out-of-order bytes held per direction */
#define CAP_REASM_SEGS_PER_DIR 4096u       /* out-of-order segments held per direction */
#define CAP_REASM_BYTES_TOTAL (32u << 20)  /* out-of-order bytes held over all flows */
#define CAP_FLOWS_MAX 65536u               /* live flows in the table; oldest evicted */
#define CAP_FLOW_IDLE_SECONDS 600u         /* a flow with no packet this long is closed */

/* TLS stream parsing */
#define CAP_TLS_SCAN_BYTES 65536u           /* plaintext prefix searched for a ClientHello */
#define CAP_TLS_RECORD_MAX (16384u + 2048u) /* RFC 8446 5.2 TLSCiphertext upper bound */
#define CAP_TLS_HS_MSG_MAX (512u << 10)     /* one reassembled handshake message */
#define CAP_TLS_RECORDS_PER_FLOW 100000u    /* records examined before a flow is skipped */
#define CAP_TLS_HANDSHAKES_PER_FLOW 64u     /* renegotiations kept per TCP connection */
#define CAP_TLS_MSGS_PER_HANDSHAKE 256u     /* ladder entries kept per handshake */
#define CAP_TLS_ALERTS_PER_HANDSHAKE 64u
#define CAP_TLS_BUFFERED_TOTAL (64u << 20) /* partial records held over all flows */
#define CAP_TLS_LADDER_ENCRYPTED 8u        /* encrypted records listed per side and handshake */
#define CAP_NOTES_PER_CONNECTION 64u

/* Certificates and names */
#define CAP_CERTS_PER_CHAIN 64u
#define CAP_TRUST_CERTS 1024u /* certificates of one --trust CA file (a system bundle: ~150) */
#define CAP_CANDIDATES 32u    /* certificate files given to analyze (candidate client chains) */
#define CAP_DNS_PER_LIST 8192u
#define CAP_DN_BYTES 8192u /* one DER distinguished name */
#define CAP_DN_TEXT 32768u /* one rendered RFC 4514 string */
#define CAP_DER_MAX_DEPTH 32u
#define CAP_CERT_CACHE 4096u     /* distinct certificates decoded per run */
#define CAP_DN_CACHE 16384u      /* distinct CA names rendered once per run */
#define CAP_LIST_PER_CERT 16384u /* SAN / EKU / key usage entries per certificate */

/* Decryption with a key log */
#define CAP_KEYLOG_SESSIONS 32768u       /* client randoms kept from key logs (table <= 18 MB) */
#define CAP_KEYLOG_CHUNK (1u << 20)      /* key log file read per step */
#define CAP_KEYLOG_DSB_BYTES (16u << 20) /* one pcapng Decryption Secrets Block */

/* Whole run */
#define CAP_CONNECTIONS_MAX 200000u     /* handshakes kept in one report */
#define CAP_EVIDENCE_BYTES (256u << 20) /* analysis arena */

/* Text inputs */
#define CAP_LINE_MAX 65536u

/* ICM traces (parsers/icm.c) */
#define CAP_ICM_THREADS 256u               /* threads with an open attempt; least recent closed */
#define CAP_ICM_THREAD_ID 64u              /* longer thread ids are cut (and still compared) */
#define CAP_ICM_STATEMENTS 64u             /* statements kept per connection */
#define CAP_ICM_STATED_CERTS 16u           /* certificate tree entries kept per connection */
#define CAP_ICM_MATCH_LIMIT 100000u        /* PCRE2 match limit per line and pattern */
#define CAP_ICM_DEPTH_LIMIT 2000u          /* PCRE2 backtracking depth limit */
#define CAP_ICM_READ_BLOCK (1u << 20)      /* bytes read at once (plus CAP_LINE_MAX carried over) */
#define CAP_ICM_FIRST_TIME_SCAN (4u << 20) /* bytes searched for a file's first timestamp */
/* Rotated files: an attempt goes on in the next file only when that file
 * starts at most this long after the previous one's last timestamp. */
#define CAP_ICM_CARRY_GAP_SECONDS 600u

#endif
