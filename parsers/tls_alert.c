/* placeholder: being written */
typedef int placeholder_tls_alert_t;
