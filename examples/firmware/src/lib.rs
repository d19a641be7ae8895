//! Support shared by the firmware binaries: a minimal executor, and the fault, panic
//! and exit paths that report over semihosting.
//!
//! Both binaries (`csp-firmware-example` on csp, `embassy_equiv` on embassy-sync) link
//! this same code, so their sizes differ only by the channel library.

#![no_std]

pub mod executor;

use cortex_m_rt::{exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};

/// Ends the program: prints the verdict and exits QEMU with success only if `ok`.
pub fn finish(ok: bool) -> ! {
    if ok {
        hprintln!("PASS");
        debug::exit(debug::EXIT_SUCCESS);
    } else {
        hprintln!("FAIL");
        debug::exit(debug::EXIT_FAILURE);
    }
    // Without a semihosting host `exit` returns; park the core.
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    cortex_m::interrupt::disable();
    hprintln!("panic: {}", info);
    finish(false)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    hprintln!("hard fault: {:?}", frame);
    finish(false)
}
