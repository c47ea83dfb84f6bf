use std::sync::{Arc, Mutex};
use std::thread;

fn main() {
    let n = Arc::new(Mutex::new(0));
    let hs: Vec<_> = (0..4)
        .map(|_| {
            let n = Arc::clone(&n);
            thread::spawn(move || *n.lock().unwrap() += 1)
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    println!("tiny {}", *n.lock().unwrap());
}
