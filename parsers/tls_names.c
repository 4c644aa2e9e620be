/* placeholder: being written */
typedef int placeholder_tls_names_t;
