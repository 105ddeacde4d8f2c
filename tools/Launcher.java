// Baobab's embedded MongoDB engine (DESIGN.md §5): mongo-java-server on 127.0.0.1, ephemeral port.
// Run: java -cp 'tools/target/dependency/*' tools/Launcher.java <memory|h2> [h2-file-path]
// Prints one line `MONGO_URI=mongodb://127.0.0.1:PORT`, then serves until stdin closes or SIGTERM.
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

public class Launcher {
  /** Reports MongoDB 6.0 (wire 17): accepted by the Node driver 6.x (min wire 8) and 7.x. */
  static final MongoVersion VERSION = new MongoVersion() {
    public List<Integer> getVersionArray() { return List.of(6, 0, 0); }
    public int getWireVersion() { return 17; }
  };

  /** mongo-java-server only knows the legacy `isMaster`; answer `hello` (MongoDB >= 4.4.2) from it. */
  static boolean isHello(String cmd) { return "hello".equalsIgnoreCase(cmd); }

  static Document hello(Document isMaster) {
    isMaster.put("isWritablePrimary", isMaster.remove("ismaster"));
    return isMaster;
  }

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "memory";
    MongoBackend backend = switch (mode) {
      case "memory" -> new MemoryBackend() {
        @Override public Document handleCommand(Channel ch, String db, String cmd, Document query) {
          return isHello(cmd) ? hello(super.handleCommand(ch, db, "isMaster", query)) : super.handleCommand(ch, db, cmd, query);
        }
      };
      case "h2" -> {
        if (args.length < 2) throw new IllegalArgumentException("h2 needs a file path");
        yield new H2Backend(args[1]) {
          @Override public Document handleCommand(Channel ch, String db, String cmd, Document query) {
            return isHello(cmd) ? hello(super.handleCommand(ch, db, "isMaster", query)) : super.handleCommand(ch, db, cmd, query);
          }
        };
      }
      default -> throw new IllegalArgumentException("unknown backend: " + mode);
    };
    MongoServer server = new MongoServer(backend.version(VERSION));
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", 0);
    server.bind(address);
    AtomicBoolean stopped = new AtomicBoolean();
    Runnable stop = () -> { if (stopped.compareAndSet(false, true)) server.shutdown(); }; // closes + flushes the backend
    Runtime.getRuntime().addShutdownHook(new Thread(stop));
    System.out.println("MONGO_URI=mongodb://127.0.0.1:" + server.getLocalAddress().getPort());
    System.out.flush();
    while (System.in.read() != -1) { /* any input is ignored; EOF means the parent is gone */ }
    stop.run();
    System.exit(0);
  }
}
