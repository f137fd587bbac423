/*
 * TYPE-CHECKING STUB of Bionic's <sys/system_properties.h>, for android/check only.
 *
 * ring's CPU-feature detection includes this Android-only header; glibc has no such file. These
 * declarations match Bionic's public API so the C compiles; nothing built with them is linked.
 */
#ifndef SEPIION_CHECK_STUB_SYS_SYSTEM_PROPERTIES_H
#define SEPIION_CHECK_STUB_SYS_SYSTEM_PROPERTIES_H

#define PROP_NAME_MAX 32
#define PROP_VALUE_MAX 92

int __system_property_get(const char *name, char *value);

#endif
