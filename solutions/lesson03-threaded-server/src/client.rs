// The client side of lesson 3: print the welcome, send each name and print
// its answer, then say `exit`.
//
// Every message is one line, so we read the stream through a `BufReader` and
// take one line at a time, whatever pieces the bytes come in.

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
    // `exit` ends our session politely; dropping the stream closes it.
    writer.write_all(b"exit\n")
}

/// Read one line from the server and print it.
fn print_line(reader: &mut BufReader<TcpStream>) -> io::Result<()> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection"));
    }
    // A locked stdout and `write_all`: a closed stdout is an error we
    // return, where `print!` would panic.
    let mut out = io::stdout().lock();
    out.write_all(line.as_bytes())?;
    out.flush()
}
