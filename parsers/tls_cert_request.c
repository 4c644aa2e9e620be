/* placeholder: being written */
typedef int placeholder_tls_cert_request_t;
