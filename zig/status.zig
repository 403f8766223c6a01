//! Status codes returned across the C ABI; src/ffi.ts turns them into typed errors.
pub const Status = enum(i32) {
    ok = 0,
    invalid_argument = -1,
    out_of_memory = -2,
    /// The input bytes are not a format we read (WAV parser, etc.).
    invalid_data = -3,
    /// An iterative method did not converge within its bound.
    no_convergence = -4,
};
