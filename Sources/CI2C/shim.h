// Thin system-library shim for libi2c (Debian libi2c-dev) and the kernel's i2c-dev UAPI.
#ifndef VIGIL_CI2C_SHIM_H
#define VIGIL_CI2C_SHIM_H
#include <stdint.h>
#include <linux/i2c.h>
#include <linux/i2c-dev.h>
#include <i2c/smbus.h>
#endif
