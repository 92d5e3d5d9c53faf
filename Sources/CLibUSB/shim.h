// Thin system-library shim for libusb-1.0 (Debian libusb-1.0-0-dev).
#ifndef VIGIL_CLIBUSB_SHIM_H
#define VIGIL_CLIBUSB_SHIM_H
#include <libusb-1.0/libusb.h>

// libusb_set_option is variadic, which Swift cannot call: one wrapper per option shape.
static inline int vigil_libusb_set_option_int(libusb_context *ctx, enum libusb_option option,
                                              int value) {
  return libusb_set_option(ctx, option, value);
}
static inline int vigil_libusb_set_option_flag(libusb_context *ctx, enum libusb_option option) {
  return libusb_set_option(ctx, option);
}
#endif
