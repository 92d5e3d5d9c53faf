// Thin system-library shim for the kernel's GPIO character-device UAPI (linux/gpio.h, v2).
// The ioctl request numbers are function-like macros (_IOWR with sizeof), which Swift cannot
// import, so they are exposed as constant-returning inline functions.
#ifndef VIGIL_CGPIO_SHIM_H
#define VIGIL_CGPIO_SHIM_H
#include <linux/gpio.h>

static inline unsigned long vigil_gpio_v2_get_line_ioctl(void) { return GPIO_V2_GET_LINE_IOCTL; }
static inline unsigned long vigil_gpio_v2_line_set_values_ioctl(void) {
  return GPIO_V2_LINE_SET_VALUES_IOCTL;
}
static inline unsigned long vigil_gpio_v2_line_get_values_ioctl(void) {
  return GPIO_V2_LINE_GET_VALUES_IOCTL;
}
#endif
