/* placeholder: being written */
typedef int placeholder_flows_t;
