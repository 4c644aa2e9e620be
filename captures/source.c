/* placeholder: being written */
typedef int placeholder_source_t;
