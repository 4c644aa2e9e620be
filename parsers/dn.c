/* placeholder: being written */
typedef int placeholder_dn_t;
