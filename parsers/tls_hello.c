/* placeholder: being written */
typedef int placeholder_tls_hello_t;
