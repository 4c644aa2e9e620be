/* placeholder: being written */
typedef int placeholder_tls_certificate_t;
