/* placeholder: being written */
typedef int placeholder_tls_stream_t;
