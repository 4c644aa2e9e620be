/*
 * test_tls_crypto.c - opening protected records with secrets from a key
 * log. The vectors are records of two published captures whose plaintext
 * tshark shows with the same key logs (../shared/corpus/public):
 * illustrated-tls13 (TLS_AES_256_GCM_SHA384: the server's first protected
 * record is its EncryptedExtensions) and illustrated-tls12
 * (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: the client's Finished). A flipped
 * bit, a short record or the wrong direction's keys must not open.
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "tls_crypto.h"

static void tls13_encrypted_extensions(void)
{
    uint8_t secret[48], rec[64], out[64];
    long sl = tl_hex("23323da031634b241dd37d61032b62a4f450584d1f7f47983ba2f7cc0cdcc39a"
                     "68f481f2b019f9403a3051908a5d1622",
                     secret, sizeof secret);
    long rl = tl_hex("1703030017 6be02f9da7c2dc9ddef56f2468b90adfa25101ab0344ae", rec, sizeof rec);
    CHECK_INT(sl, 48, "secret");
    CHECK_INT(rl, 28, "record");
    struct tls_cipher *c = tls_cipher_new13(0x1302, secret, (size_t)sl);
    CHECK(c != NULL, "cipher from the server handshake traffic secret");
    if (!c) {
        return;
    }
    size_t n = 0;
    uint8_t type = 0;
    CHECK_INT(tls_cipher_open(c, rec, rec + 5, (size_t)rl - 5, out, &n, &type), ST_OK, "opens");
    CHECK_INT(type, 22, "inner type handshake");
    CHECK_INT(n, 6, "EncryptedExtensions with no extensions");
    CHECK(n == 6 && memcmp(out, "\x08\x00\x00\x02\x00\x00", 6) == 0, "plaintext");
    /* The same record again: the sequence number moved on, so it must fail. */
    CHECK_INT(tls_cipher_open(c, rec, rec + 5, (size_t)rl - 5, out, &n, &type), ST_MALFORMED,
              "replayed record does not open at seq 1");
    tls_cipher_free(c);

    c = tls_cipher_new13(0x1302, secret, (size_t)sl);
    rec[10] ^= 1;
    CHECK_INT(tls_cipher_open(c, rec, rec + 5, (size_t)rl - 5, out, &n, &type), ST_MALFORMED,
              "flipped bit");
    rec[10] ^= 1;
    CHECK_INT(tls_cipher_open(c, rec, rec + 5, 16, out, &n, &type), ST_MALFORMED,
              "shorter than a tag plus a type byte");
    CHECK(tls_cipher_update13(c), "KeyUpdate derives the next secret");
    CHECK_INT(tls_cipher_open(c, rec, rec + 5, (size_t)rl - 5, out, &n, &type), ST_MALFORMED,
              "after KeyUpdate the old record does not open");
    tls_cipher_free(c);

    CHECK(tls_cipher_new13(0x1302, secret, 32) == NULL, "SHA-384 suite needs a 48-byte secret");
    CHECK(tls_cipher_new13(0x1304, secret, 32) == NULL, "CCM is not supported");
}

static void tls12_cbc_finished(void)
{
    uint8_t master[48], cr[32], sr[32], rec[80], out[80];
    CHECK_INT(tl_hex("916abf9da55973e13614ae0a3f5d3f37b023ba129aee02cc9134338127cd7049"
                     "781c8e19fc1eb2a7387ac06ae237344c",
                     master, sizeof master),
              48, "master");
    CHECK_INT(
        tl_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", cr, sizeof cr),
        32, "client random");
    CHECK_INT(
        tl_hex("707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f", sr, sizeof sr),
        32, "server random");
    long rl = tl_hex("1603030040 404142434445464748494a4b4c4d4e4f227bc9ba81ef30f2a8a78ff1df50844d"
                     "5804b7eeb2e214c32b6892aca3db7b78077fdd90067c516bacb3ba90dedf720f",
                     rec, sizeof rec);
    struct tls_cipher *client = NULL, *server = NULL;
    CHECK(tls_cipher_new12(0xc013, 0x0303, master, cr, sr, &client, &server), "key block");
    if (!client || !server) {
        return;
    }
    size_t n = 0;
    uint8_t type = 0;
    CHECK_INT(tls_cipher_open(server, rec, rec + 5, (size_t)rl - 5, out, &n, &type), ST_MALFORMED,
              "the server's keys do not open the client's record");
    CHECK_INT(tls_cipher_open(client, rec, rec + 5, (size_t)rl - 5, out, &n, &type), ST_OK,
              "client's Finished opens");
    CHECK_INT(type, 22, "handshake");
    CHECK_INT(n, 16, "Finished: 4-byte header, 12-byte verify_data");
    CHECK(n >= 4 && memcmp(out, "\x14\x00\x00\x0c", 4) == 0, "Finished header");
    tls_cipher_free(client);
    tls_cipher_free(server);

    CHECK(!tls_cipher_new12(0xc013, 0x0300, master, cr, sr, &client, &server), "SSL 3.0");
    CHECK(!tls_cipher_new12(0x000a, 0x0303, master, cr, sr, &client, &server), "3DES");
    CHECK(tls_crypto_suite_supported(0xc02f), "ECDHE-RSA-AES128-GCM-SHA256");
    CHECK(tls_crypto_suite_supported(0xcca8), "ECDHE-RSA-CHACHA20-POLY1305");
    CHECK(tls_crypto_suite_supported(0x1303), "TLS_CHACHA20_POLY1305_SHA256");
    CHECK(!tls_crypto_suite_supported(0x0005), "RC4");
}

int main(void)
{
    tls13_encrypted_extensions();
    tls12_cbc_finished();
    return tl_done();
}
