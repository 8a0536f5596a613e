// The glue between a SwiftPM executable and libFuzzer's driver, shared by the harnesses.
// SwiftPM links an executable target's entry point as `<Target>_main`; each harness defines that
// symbol and calls ``runLibFuzzer(_:_:_:)`` with its `LLVMFuzzerTestOneInput` callback.

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// Hands control to libFuzzer's driver (it parses the command line and calls `callback` per input).
public func runLibFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector, callback)
}
