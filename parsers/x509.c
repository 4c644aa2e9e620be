/* placeholder: being written */
typedef int placeholder_x509_t;
