import Testing
import VigilCore

/// SHA-256 against the FIPS 180-4 examples (NIST's "Example Algorithms" vectors).
@Suite struct SHA256Tests {
  @Test func theNISTVectorsGiveTheirPublishedDigests() {
    #expect(
      SHA256.hexDigest([UInt8]())
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      SHA256.hexDigest(Array("abc".utf8))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test func aMillionAsGiveTheirPublishedDigestFedInUnevenPieces() {
    var sha = SHA256()
    var fed = 0
    var piece = 1
    while fed < 1_000_000 {
      let n = min(piece, 1_000_000 - fed)
      sha.update(repeatElement(UInt8(ascii: "a"), count: n))
      fed += n
      piece = piece % 97 + 13
    }
    let digest = sha.finalize().map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }
    #expect(
      digest.joined() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }
}
