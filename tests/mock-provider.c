/* SPDX-License-Identifier: MIT */
/* placeholder: being written */
int mock_provider_placeholder(void);
int mock_provider_placeholder(void) { return 0; }
