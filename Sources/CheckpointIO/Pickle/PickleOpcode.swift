/// The pickle opcodes this reader understands: everything `torch.save` emits (protocol 2, see
/// ../shared/docs/design.md §B6.3) plus cheap extras from protocols 3-4. Names and bytes follow
/// CPython's `Lib/pickletools.py`. Protocol-0 text opcodes (INT, GET, PUT...) are deliberately absent:
/// no PyTorch checkpoint uses them.
///
/// A plain `UInt8` raw value (no derived conformance library), as candle's `pickle.rs` does.
enum PickleOpcode: UInt8, Sendable {
    // MARK: - Stack and memo
    case mark = 0x28            // '('  push a mark
    case stop = 0x2E            // '.'  end of pickle; the top of the stack is the result
    case pop = 0x30             // '0'
    case popMark = 0x31         // '1'  discard everything down to the last mark
    case dup = 0x32             // '2'
    case binGet = 0x68          // 'h'  u8 memo key
    case longBinGet = 0x6A      // 'j'  u32 LE memo key
    case binPut = 0x71          // 'q'  u8 memo key
    case longBinPut = 0x72      // 'r'  u32 LE memo key
    case memoize = 0x94         // protocol 4: memo[len(memo)] = top
    case frame = 0x95           // protocol 4: u64 LE frame length (a buffering hint, ignored)
    case proto = 0x80           // u8 protocol version

    // MARK: - Scalars
    case none = 0x4E            // 'N'
    case newTrue = 0x88
    case newFalse = 0x89
    case binInt = 0x4A          // 'J'  i32 LE
    case binInt1 = 0x4B         // 'K'  u8
    case binInt2 = 0x4D         // 'M'  u16 LE
    case long1 = 0x8A           // u8 length, little-endian two's complement bytes
    case long4 = 0x8B           // i32 LE length, same encoding
    case binFloat = 0x47        // 'G'  f64 **big-endian** (pickletools.py `float8`)
    case shortBinString = 0x55  // 'U'  u8 length, Python 2 str (decoded as UTF-8, as torch.load does)
    case binString = 0x54       // 'T'  i32 LE length, Python 2 str
    case binUnicode = 0x58      // 'X'  u32 LE length, UTF-8
    case shortBinUnicode = 0x8C // protocol 4: u8 length, UTF-8
    case binUnicode8 = 0x8D     // protocol 4: u64 LE length, UTF-8
    case shortBinBytes = 0x43   // 'C'  protocol 3: u8 length
    case binBytes = 0x42        // 'B'  protocol 3: u32 LE length
    case binBytes8 = 0x8E       // protocol 4: u64 LE length

    // MARK: - Containers
    case emptyTuple = 0x29      // ')'
    case tuple = 0x74           // 't'  items down to the mark
    case tuple1 = 0x85
    case tuple2 = 0x86
    case tuple3 = 0x87
    case emptyList = 0x5D       // ']'
    case list = 0x6C            // 'l'  items down to the mark
    case append = 0x61          // 'a'
    case appends = 0x65         // 'e'  items down to the mark
    case emptyDict = 0x7D       // '}'
    case dict = 0x64            // 'd'  key/value pairs down to the mark (candle mis-maps this one)
    case setItem = 0x73         // 's'
    case setItems = 0x75        // 'u'  key/value pairs down to the mark
    case emptySet = 0x8F        // protocol 4
    case addItems = 0x90        // protocol 4: items down to the mark, into the set below
    case frozenSet = 0x91       // protocol 4: items down to the mark

    // MARK: - Objects (recorded, never executed)
    case global = 0x63          // 'c'  "module\nname\n"
    case stackGlobal = 0x93     // protocol 4: module and name strings from the stack
    case reduce = 0x52          // 'R'  callable, argument tuple
    case build = 0x62           // 'b'  object, state
    case newObj = 0x81          // cls, argument tuple (cls.__new__(cls, *args))
    case binPersID = 0x51       // 'Q'  persistent id from the stack (torch storages)

    /// The opcode's name in CPython's `pickletools` (`BINUNICODE`, `SHORT_BINSTRING`...).
    var name: String {
        switch self {
        case .mark: "MARK"
        case .stop: "STOP"
        case .pop: "POP"
        case .popMark: "POP_MARK"
        case .dup: "DUP"
        case .binGet: "BINGET"
        case .longBinGet: "LONG_BINGET"
        case .binPut: "BINPUT"
        case .longBinPut: "LONG_BINPUT"
        case .memoize: "MEMOIZE"
        case .frame: "FRAME"
        case .proto: "PROTO"
        case .none: "NONE"
        case .newTrue: "NEWTRUE"
        case .newFalse: "NEWFALSE"
        case .binInt: "BININT"
        case .binInt1: "BININT1"
        case .binInt2: "BININT2"
        case .long1: "LONG1"
        case .long4: "LONG4"
        case .binFloat: "BINFLOAT"
        case .shortBinString: "SHORT_BINSTRING"
        case .binString: "BINSTRING"
        case .binUnicode: "BINUNICODE"
        case .shortBinUnicode: "SHORT_BINUNICODE"
        case .binUnicode8: "BINUNICODE8"
        case .shortBinBytes: "SHORT_BINBYTES"
        case .binBytes: "BINBYTES"
        case .binBytes8: "BINBYTES8"
        case .emptyTuple: "EMPTY_TUPLE"
        case .tuple: "TUPLE"
        case .tuple1: "TUPLE1"
        case .tuple2: "TUPLE2"
        case .tuple3: "TUPLE3"
        case .emptyList: "EMPTY_LIST"
        case .list: "LIST"
        case .append: "APPEND"
        case .appends: "APPENDS"
        case .emptyDict: "EMPTY_DICT"
        case .dict: "DICT"
        case .setItem: "SETITEM"
        case .setItems: "SETITEMS"
        case .emptySet: "EMPTY_SET"
        case .addItems: "ADDITEMS"
        case .frozenSet: "FROZENSET"
        case .global: "GLOBAL"
        case .stackGlobal: "STACK_GLOBAL"
        case .reduce: "REDUCE"
        case .build: "BUILD"
        case .newObj: "NEWOBJ"
        case .binPersID: "BINPERSID"
        }
    }
}
