// The client side of lesson 3: print the welcome, send each name and print
// its answer, then say `exit`.
//
// Every message is one line, so we read the stream through a `BufReader` and
// take one line at a time, whatever pieces the bytes come in.

// `read_line` and `write_all` come from these traits: keep the import.
#[allow(unused_imports)]
use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;

/// Connect, print the welcome, greet each name, then send `exit`.
pub fn run(addr: &str, names: &[&str]) -> io::Result<()> {
    let stream = TcpStream::connect(addr)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    print_line(&mut reader)?;
    for name in names {
        writer.write_all(format!("{name}\n").as_bytes())?;
        print_line(&mut reader)?;
    }
    // TODO: send `exit` and its newline; returning then closes the stream.
    let _ = writer; // only so the skeleton compiles without warnings: delete this line
    todo!("say exit on the connection")
}

/// Read one line from the server and print it.
fn print_line(reader: &mut BufReader<TcpStream>) -> io::Result<()> {
    // TODO: `read_line` into a String; 0 bytes means the server closed:
    // return an error. Otherwise print the line (it keeps its `\n`) and flush.
    let _ = reader; // only so the skeleton compiles without warnings: delete this line
    todo!("read one line from the connection and print it")
}
