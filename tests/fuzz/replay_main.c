/*
 * replay_main.c - runs a fuzz target's LLVMFuzzerTestOneInput over every
 * file given, or every file in every directory given, so the committed
 * corpus is replayed in the normal test suite (and under ASan/UBSan).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) {
            break;
        }
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (!buf) {
        return 1;
    }
    /* An exact-size copy lets ASan catch reads one past the input. */
    uint8_t *exact = malloc(len ? len : 1);
    if (exact) {
        if (len) {
            memcpy(exact, buf, len);
        }
        LLVMFuzzerTestOneInput(exact, len);
    }
    free(exact);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 0, errors = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: not found\n", argv[i]);
            errors++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            errors += run_file(argv[i]);
            runs++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') {
                continue;
            }
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            errors += run_file(path);
            runs++;
        }
        if (d) {
            closedir(d);
        }
    }
    printf("replayed %d inputs\n", runs);
    printf("%d passed, %d failed\n", runs - errors, errors);
    return errors ? 1 : 0;
}
