// Thin system-library shim for libusb-1.0 (Debian libusb-1.0-0-dev).
#ifndef VIGIL_CLIBUSB_SHIM_H
#define VIGIL_CLIBUSB_SHIM_H
#include <libusb-1.0/libusb.h>
#endif
