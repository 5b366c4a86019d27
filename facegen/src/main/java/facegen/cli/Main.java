package facegen.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/facegen}: dispatches to the subcommands. */
@Command(name = "facegen", mixinStandardHelpOptions = true, version = "facegen 0.1.0",
        description = "Realistic generative 3D faces (AlbedoGAN) on a pure-Java tensor and autodiff engine.",
        subcommands = {DemoCommand.class, RenderCommand.class, StyleganCommand.class, LandmarksCommand.class,
                IdentityCommand.class, AuditCommand.class, BenchCommand.class, DevicesCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Runs the CLI and exits with the subcommand's status. */
    public static void main(String[] args) {
        int code = new CommandLine(new Main())
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    // Users get the message; the stack trace only when they ask for it.
                    cmd.getErr().println("facegen: " + ex.getMessage());
                    if (System.getenv("FACEGEN_DEBUG") != null) {
                        ex.printStackTrace(cmd.getErr());
                    } else {
                        cmd.getErr().println("(set FACEGEN_DEBUG=1 for the stack trace)");
                    }
                    return 1;
                })
                .execute(args);
        System.exit(code);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
