/* placeholder: being written */
typedef int placeholder_tls_record_t;
