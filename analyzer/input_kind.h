/*
 * input_kind.h - recognise an input file by content: a capture (pcap,
 * pcapng, either gzip-compressed), an SAP ICM trace or a certificate file
 * (PEM, also with text before the block, or DER X.509); anything else gets
 * a one-line reason (directory, empty, a dev_w or Cloud Connector trace, ...).
 */
#ifndef TLSDIAG_INPUT_KIND_H
#define TLSDIAG_INPUT_KIND_H

#include <stddef.h>
#include <stdint.h>

enum input_kind { IN_CAPTURE, IN_ICM, IN_CERTIFICATE, IN_UNKNOWN };

/* IN_UNKNOWN comes with the reason in errbuf (without the path). */
enum input_kind input_kind_sniff(const char *path, char *errbuf, size_t errlen);
/* Size in bytes for a progress bar; 0 when unknown. */
uint64_t input_file_size(const char *path);

#endif
