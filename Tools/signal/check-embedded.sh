#!/usr/bin/env bash
# Compiles VigilSignal (with the VigilCore it imports) as Embedded Swift for bare-metal ARM
# targets, with warnings treated as errors in VigilSignal, to prove the signal core stays
# Foundation-free, typed-throws-only and free of non-class existentials. Objects go to a
# temporary directory; nothing is linked.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
flags=(-enable-experimental-feature Embedded -wmo -Osize -parse-as-library)
for target in aarch64-none-none-elf armv7em-none-none-eabi; do
  mkdir -p "$out/$target"
  swiftc "${flags[@]}" -target "$target" -module-name VigilCore \
    -emit-module -emit-module-path "$out/$target/VigilCore.swiftmodule" \
    -c Sources/VigilCore/*.swift -o "$out/$target/VigilCore.o"
  swiftc "${flags[@]}" -target "$target" -module-name VigilSignal -warnings-as-errors \
    -I "$out/$target" -c Sources/VigilSignal/*.swift -o "$out/$target/VigilSignal.o"
  echo "VigilSignal builds as Embedded Swift for $target"
done
