// Thin system-library shim for libumockdev (Debian libumockdev-dev), used only by the tests
// that emulate device nodes in-process, plus glibc's openpty (pty.h) for the serial tests. The ioctl request numbers are function-like macros
// (_IOR/_IOWR with sizeof), which Swift cannot import, so they are exposed as
// constant-returning inline functions.
#ifndef VIGIL_CUMOCKDEV_SHIM_H
#define VIGIL_CUMOCKDEV_SHIM_H
#include <umockdev.h>
#include <pty.h>
#include <linux/usbdevice_fs.h>
#include <linux/gpio.h>

static inline unsigned long vigil_usbdevfs_submiturb(void) { return USBDEVFS_SUBMITURB; }
static inline unsigned long vigil_usbdevfs_reapurb(void) { return USBDEVFS_REAPURB; }
static inline unsigned long vigil_usbdevfs_reapurbndelay(void) { return USBDEVFS_REAPURBNDELAY; }
static inline unsigned long vigil_usbdevfs_discardurb(void) { return USBDEVFS_DISCARDURB; }
static inline unsigned long vigil_usbdevfs_claiminterface(void) { return USBDEVFS_CLAIMINTERFACE; }
static inline unsigned long vigil_usbdevfs_releaseinterface(void) {
  return USBDEVFS_RELEASEINTERFACE;
}
static inline unsigned long vigil_usbdevfs_get_capabilities(void) {
  return USBDEVFS_GET_CAPABILITIES;
}
static inline unsigned long vigil_usbdevfs_getdriver(void) { return USBDEVFS_GETDRIVER; }
static inline unsigned long vigil_usbdevfs_ioctl(void) { return USBDEVFS_IOCTL; }
static inline unsigned long vigil_usbdevfs_disconnect_claim(void) {
  return USBDEVFS_DISCONNECT_CLAIM;
}
static inline unsigned long vigil_usbdevfs_disconnect(void) { return USBDEVFS_DISCONNECT; }
static inline unsigned long vigil_usbdevfs_connect(void) { return USBDEVFS_CONNECT; }
static inline unsigned long vigil_usbdevfs_resetep(void) { return USBDEVFS_RESETEP; }
static inline unsigned long vigil_usbdevfs_reset(void) { return USBDEVFS_RESET; }
static inline unsigned long vigil_usbdevfs_connectinfo(void) { return USBDEVFS_CONNECTINFO; }
static inline unsigned long vigil_usbdevfs_clear_halt(void) { return USBDEVFS_CLEAR_HALT; }
static inline unsigned long vigil_usbdevfs_setinterface(void) { return USBDEVFS_SETINTERFACE; }
static inline unsigned long vigil_usbdevfs_setconfiguration(void) {
  return USBDEVFS_SETCONFIGURATION;
}
static inline unsigned long vigil_gpio_v2_get_line_ioctl(void) { return GPIO_V2_GET_LINE_IOCTL; }
static inline unsigned long vigil_gpio_v2_line_set_values_ioctl(void) {
  return GPIO_V2_LINE_SET_VALUES_IOCTL;
}
static inline unsigned long vigil_gpio_v2_line_get_values_ioctl(void) {
  return GPIO_V2_LINE_GET_VALUES_IOCTL;
}
#endif
