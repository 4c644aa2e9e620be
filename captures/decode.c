/* placeholder: being written */
typedef int placeholder_decode_t;
