/* placeholder: being written */
typedef int placeholder_tls_handshake_t;
