/*
 * test_tls_names.c - the name tables: sorted (binary search needs it),
 * spot checks against the IANA registries and RFC 8446, GREASE, the size of
 * the cipher suite table, and the *_str fallbacks (numbers, short buffers).
 */
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "tls_names.h"

static void test_sorted(void)
{
    CHECK(tls_names_tables_sorted(), "every table strictly ascending");
}

static const struct {
    uint16_t id;
    const char *want;
} versions[] = {
    { 0x0002, "SSL 2.0" },
    { 0x0300, "SSL 3.0" },
    { 0x0301, "TLS 1.0" },
    { 0x0302, "TLS 1.1" },
    { 0x0303, "TLS 1.2" },
    { 0x0304, "TLS 1.3" },
    { 0x7f10, "TLS 1.3 draft 16" },
    { 0x7f12, "TLS 1.3 draft 18" },
    { 0x7f1c, "TLS 1.3 draft 28" },
    { 0x0a0a, "GREASE" },
    { 0xfafa, "GREASE" },
    { 0xfefd, "DTLS 1.2" },
    { 0x0305, NULL },
    { 0x0200, NULL },
    { 0x7f1d, NULL },
    { 0x0a1a, NULL },
};

static const struct {
    uint16_t id;
    const char *want;
} suites[] = {
    { 0x0000, "TLS_NULL_WITH_NULL_NULL" },
    { 0x0004, "TLS_RSA_WITH_RC4_128_MD5" },
    { 0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA" },
    { 0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5" },
    { 0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA" },
    { 0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA" },
    { 0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA" },
    { 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256" },
    { 0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384" },
    { 0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256" },
    { 0x00c5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256" },
    { 0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" },
    { 0x1301, "TLS_AES_128_GCM_SHA256" },
    { 0x1302, "TLS_AES_256_GCM_SHA384" },
    { 0x1303, "TLS_CHACHA20_POLY1305_SHA256" },
    { 0x1304, "TLS_AES_128_CCM_SHA256" },
    { 0x1305, "TLS_AES_128_CCM_8_SHA256" },
    { 0x5600, "TLS_FALLBACK_SCSV" },
    { 0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA" },
    { 0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA" },
    { 0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
    { 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
    { 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
    { 0xc05c, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256" },
    { 0xc09c, "TLS_RSA_WITH_AES_128_CCM" },
    { 0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8" },
    { 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
    { 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
    { 0xccae, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256" },
    { 0xd001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256" },
    { 0xd005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256" },
    { 0x0a0a, "GREASE" },
    { 0x9a9a, "GREASE" },
    { 0x0047, NULL },
    { 0x00c8, NULL },
    { 0x1300, NULL },
    { 0xc000, NULL },
    { 0xd004, NULL },
    { 0xffff, NULL },
};

/* IANA assignments (352) + pre-standard values kept (16) + GREASE (16). */
#define WANT_SUITE_NAMES 384

static void test_versions_and_suites(void)
{
    char what[64];

    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        snprintf(what, sizeof what, "version 0x%04x", versions[i].id);
        CHECK_STR(tls_version_name(versions[i].id), versions[i].want, what);
    }
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        snprintf(what, sizeof what, "suite 0x%04x", suites[i].id);
        CHECK_STR(tls_cipher_suite_name(suites[i].id), suites[i].want, what);
    }
    size_t named = 0;
    for (unsigned id = 0; id <= 0xffff; id++) {
        named += tls_cipher_suite_name((uint16_t)id) != NULL;
    }
    CHECK_INT(named, WANT_SUITE_NAMES, "cipher suite table size");
}

static void test_alerts_and_types(void)
{
    CHECK_STR(tls_alert_name(0), "close_notify", "alert 0");
    CHECK_STR(tls_alert_name(10), "unexpected_message", "alert 10");
    CHECK_STR(tls_alert_name(21), "decryption_failed", "alert 21");
    CHECK_STR(tls_alert_name(40), "handshake_failure", "alert 40");
    CHECK_STR(tls_alert_name(41), "no_certificate", "alert 41");
    CHECK_STR(tls_alert_name(42), "bad_certificate", "alert 42");
    CHECK_STR(tls_alert_name(46), "certificate_unknown", "alert 46");
    CHECK_STR(tls_alert_name(48), "unknown_ca", "alert 48");
    CHECK_STR(tls_alert_name(60), "export_restriction", "alert 60");
    CHECK_STR(tls_alert_name(70), "protocol_version", "alert 70");
    CHECK_STR(tls_alert_name(86), "inappropriate_fallback", "alert 86");
    CHECK_STR(tls_alert_name(100), "no_renegotiation", "alert 100");
    CHECK_STR(tls_alert_name(109), "missing_extension", "alert 109");
    CHECK_STR(tls_alert_name(110), "unsupported_extension", "alert 110");
    CHECK_STR(tls_alert_name(111), "certificate_unobtainable", "alert 111");
    CHECK_STR(tls_alert_name(112), "unrecognized_name", "alert 112");
    CHECK_STR(tls_alert_name(113), "bad_certificate_status_response", "alert 113");
    CHECK_STR(tls_alert_name(114), "bad_certificate_hash_value", "alert 114");
    CHECK_STR(tls_alert_name(115), "unknown_psk_identity", "alert 115");
    CHECK_STR(tls_alert_name(116), "certificate_required", "alert 116");
    CHECK_STR(tls_alert_name(120), "no_application_protocol", "alert 120");
    CHECK_STR(tls_alert_name(121), "ech_required", "alert 121");
    CHECK_STR(tls_alert_name(1), NULL, "alert 1");
    CHECK_STR(tls_alert_name(255), NULL, "alert 255");
    CHECK_STR(tls_alert_level_name(1), "warning", "level 1");
    CHECK_STR(tls_alert_level_name(2), "fatal", "level 2");
    CHECK_STR(tls_alert_level_name(3), NULL, "level 3");

    CHECK_STR(tls_hs_type_name(0), "HelloRequest", "hs 0");
    CHECK_STR(tls_hs_type_name(1), "ClientHello", "hs 1");
    CHECK_STR(tls_hs_type_name(2), "ServerHello", "hs 2");
    CHECK_STR(tls_hs_type_name(3), "HelloVerifyRequest", "hs 3");
    CHECK_STR(tls_hs_type_name(4), "NewSessionTicket", "hs 4");
    CHECK_STR(tls_hs_type_name(5), "EndOfEarlyData", "hs 5");
    CHECK_STR(tls_hs_type_name(6), NULL, "hs 6: HelloRetryRequest is a ServerHello");
    CHECK_STR(tls_hs_type_name(8), "EncryptedExtensions", "hs 8");
    CHECK_STR(tls_hs_type_name(11), "Certificate", "hs 11");
    CHECK_STR(tls_hs_type_name(12), "ServerKeyExchange", "hs 12");
    CHECK_STR(tls_hs_type_name(13), "CertificateRequest", "hs 13");
    CHECK_STR(tls_hs_type_name(14), "ServerHelloDone", "hs 14");
    CHECK_STR(tls_hs_type_name(15), "CertificateVerify", "hs 15");
    CHECK_STR(tls_hs_type_name(16), "ClientKeyExchange", "hs 16");
    CHECK_STR(tls_hs_type_name(20), "Finished", "hs 20");
    CHECK_STR(tls_hs_type_name(21), "CertificateURL", "hs 21");
    CHECK_STR(tls_hs_type_name(22), "CertificateStatus", "hs 22");
    CHECK_STR(tls_hs_type_name(24), "KeyUpdate", "hs 24");
    CHECK_STR(tls_hs_type_name(25), "CompressedCertificate", "hs 25");
    CHECK_STR(tls_hs_type_name(254), "MessageHash", "hs 254");
    CHECK_STR(tls_hs_type_name(255), NULL, "hs 255");

    CHECK_STR(tls_content_type_name(20), "ChangeCipherSpec", "ct 20");
    CHECK_STR(tls_content_type_name(21), "Alert", "ct 21");
    CHECK_STR(tls_content_type_name(22), "Handshake", "ct 22");
    CHECK_STR(tls_content_type_name(23), "ApplicationData", "ct 23");
    CHECK_STR(tls_content_type_name(24), "Heartbeat", "ct 24");
    CHECK_STR(tls_content_type_name(19), NULL, "ct 19");
}

static void test_algorithms(void)
{
    CHECK_STR(tls_sig_scheme_name(0x0101), "rsa_pkcs1_md5", "sig 0x0101");
    CHECK_STR(tls_sig_scheme_name(0x0201), "rsa_pkcs1_sha1", "sig 0x0201");
    CHECK_STR(tls_sig_scheme_name(0x0202), "dsa_sha1", "sig 0x0202");
    CHECK_STR(tls_sig_scheme_name(0x0203), "ecdsa_sha1", "sig 0x0203");
    CHECK_STR(tls_sig_scheme_name(0x0301), "rsa_pkcs1_sha224", "sig 0x0301");
    CHECK_STR(tls_sig_scheme_name(0x0303), "ecdsa_sha224", "sig 0x0303");
    CHECK_STR(tls_sig_scheme_name(0x0402), "dsa_sha256", "sig 0x0402");
    CHECK_STR(tls_sig_scheme_name(0x0403), "ecdsa_secp256r1_sha256", "sig 0x0403");
    CHECK_STR(tls_sig_scheme_name(0x0503), "ecdsa_secp384r1_sha384", "sig 0x0503");
    CHECK_STR(tls_sig_scheme_name(0x0603), "ecdsa_secp521r1_sha512", "sig 0x0603");
    CHECK_STR(tls_sig_scheme_name(0x0804), "rsa_pss_rsae_sha256", "sig 0x0804");
    CHECK_STR(tls_sig_scheme_name(0x0807), "ed25519", "sig 0x0807");
    CHECK_STR(tls_sig_scheme_name(0x0808), "ed448", "sig 0x0808");
    CHECK_STR(tls_sig_scheme_name(0x080b), "rsa_pss_pss_sha512", "sig 0x080b");
    CHECK_STR(tls_sig_scheme_name(0x2a2a), "GREASE", "sig GREASE");
    CHECK_STR(tls_sig_scheme_name(0x0800), NULL, "sig 0x0800");

    CHECK_STR(tls_group_name(23), "secp256r1", "group 23");
    CHECK_STR(tls_group_name(24), "secp384r1", "group 24");
    CHECK_STR(tls_group_name(25), "secp521r1", "group 25");
    CHECK_STR(tls_group_name(26), "brainpoolP256r1", "group 26");
    CHECK_STR(tls_group_name(29), "x25519", "group 29");
    CHECK_STR(tls_group_name(30), "x448", "group 30");
    CHECK_STR(tls_group_name(256), "ffdhe2048", "group 256");
    CHECK_STR(tls_group_name(260), "ffdhe8192", "group 260");
    CHECK_STR(tls_group_name(0x11ec), "X25519MLKEM768", "group 0x11ec");
    CHECK_STR(tls_group_name(0x6399), "X25519Kyber768Draft00", "group 0x6399");
    CHECK_STR(tls_group_name(0xdada), "GREASE", "group GREASE");
    CHECK_STR(tls_group_name(0), NULL, "group 0");

    CHECK_STR(tls_cert_type_name(1), "rsa_sign", "cert type 1");
    CHECK_STR(tls_cert_type_name(2), "dss_sign", "cert type 2");
    CHECK_STR(tls_cert_type_name(3), "rsa_fixed_dh", "cert type 3");
    CHECK_STR(tls_cert_type_name(4), "dss_fixed_dh", "cert type 4");
    CHECK_STR(tls_cert_type_name(5), "rsa_ephemeral_dh", "cert type 5");
    CHECK_STR(tls_cert_type_name(6), "dss_ephemeral_dh", "cert type 6");
    CHECK_STR(tls_cert_type_name(20), "fortezza_dms", "cert type 20");
    CHECK_STR(tls_cert_type_name(64), "ecdsa_sign", "cert type 64");
    CHECK_STR(tls_cert_type_name(65), "rsa_fixed_ecdh", "cert type 65");
    CHECK_STR(tls_cert_type_name(66), "ecdsa_fixed_ecdh", "cert type 66");
    CHECK_STR(tls_cert_type_name(0), NULL, "cert type 0");

    CHECK_STR(tls_ext_name(0), "server_name", "ext 0");
    CHECK_STR(tls_ext_name(10), "supported_groups", "ext 10");
    CHECK_STR(tls_ext_name(13), "signature_algorithms", "ext 13");
    CHECK_STR(tls_ext_name(16), "application_layer_protocol_negotiation", "ext 16");
    CHECK_STR(tls_ext_name(43), "supported_versions", "ext 43");
    CHECK_STR(tls_ext_name(47), "certificate_authorities", "ext 47");
    CHECK_STR(tls_ext_name(49), "post_handshake_auth", "ext 49");
    CHECK_STR(tls_ext_name(51), "key_share", "ext 51");
    CHECK_STR(tls_ext_name(0xff01), "renegotiation_info", "ext 0xff01");
    CHECK_STR(tls_ext_name(0x3a3a), "GREASE", "ext GREASE");
    CHECK_STR(tls_ext_name(40), NULL, "ext 40 (reserved)");
}

static void test_str_fallbacks(void)
{
    char buf[32];
    char tiny[4];

    CHECK_STR(tls_version_str(0x0303, buf, sizeof buf), "TLS 1.2", "version name");
    CHECK_STR(tls_version_str(0x0305, buf, sizeof buf), "0x0305", "version number");
    CHECK_STR(tls_version_str(0x7f30, buf, sizeof buf), "TLS 1.3 draft 48", "late draft");
    CHECK_STR(tls_cipher_suite_str(0x1301, buf, sizeof buf), "TLS_AES_128_GCM_SHA256", "suite");
    CHECK_STR(tls_cipher_suite_str(0x0047, buf, sizeof buf), "0x0047", "suite number");
    CHECK_STR(tls_alert_str(40, buf, sizeof buf), "handshake_failure", "alert");
    CHECK_STR(tls_alert_str(200, buf, sizeof buf), "200", "alert number");
    CHECK_STR(tls_sig_scheme_str(0x0804, buf, sizeof buf), "rsa_pss_rsae_sha256", "sig");
    CHECK_STR(tls_sig_scheme_str(0xfe00, buf, sizeof buf), "0xfe00", "sig number");
    CHECK_STR(tls_group_str(29, buf, sizeof buf), "x25519", "group");
    CHECK_STR(tls_group_str(0x1234, buf, sizeof buf), "0x1234", "group number");
    CHECK_STR(tls_hs_type_str(13, buf, sizeof buf), "CertificateRequest", "hs type");
    CHECK_STR(tls_hs_type_str(99, buf, sizeof buf), "99", "hs type number");
    CHECK_STR(tls_cert_type_str(64, buf, sizeof buf), "ecdsa_sign", "cert type");
    CHECK_STR(tls_cert_type_str(7, buf, sizeof buf), "7", "cert type number");
    /* Short buffers truncate (snprintf); no buffer at all still prints. */
    CHECK_STR(tls_cipher_suite_str(0x0047, tiny, sizeof tiny), "0x0", "truncated");
    CHECK_STR(tls_cipher_suite_str(0x0047, NULL, 0), "?", "no buffer");
    CHECK_STR(tls_cipher_suite_str(0x002f, NULL, 0), "TLS_RSA_WITH_AES_128_CBC_SHA",
              "name needs no buffer");
}

int main(void)
{
    test_sorted();
    test_versions_and_suites();
    test_alerts_and_types();
    test_algorithms();
    test_str_fallbacks();
    return tl_done();
}
