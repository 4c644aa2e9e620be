/*
 * findings.h - what the rules engine yields and the renderers print
 * (DESIGN.md FINDING): rule id, severity, title, an explanation that cites
 * the evidence, remediation steps, evidence references, references.
 * Findings live in the evidence arena.
 */
#ifndef TLSDIAG_FINDINGS_H
#define TLSDIAG_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "evidence.h"

enum severity { SEV_INFO = 0, SEV_WARNING, SEV_ERROR };

struct finding {
    const char *rule; /* e.g. "no_fitting_ca" */
    enum severity severity;
    const char *title;
    const char *explanation;
    const char **remediation;
    size_t remediation_count;
    uint64_t *evidence; /* frame numbers or trace lines */
    size_t evidence_count;
    const char **references;
    size_t reference_count;
    const struct ev_connection *conn; /* NULL: input-wide */
};

struct findings {
    struct finding *items;
    size_t count, cap;
};

static inline const char *severity_name(enum severity s)
{
    return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "info";
}

#endif
