package facegen.cli;

import facegen.engine.backend.Backends;
import facegen.engine.backend.device.BackendUnavailableException;
import facegen.engine.backend.device.DeviceInfo;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code facegen devices}: every backend this build knows, the devices each finds here, or why it cannot run. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List every backend and its devices (name, memory, compute units), or why it is unavailable here.")
final class DevicesCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        for (String name : Backends.names()) {
            List<DeviceInfo> devices;
            try {
                devices = Backends.devices(name);
            } catch (BackendUnavailableException e) {
                System.out.println(name + ": unavailable: " + e.getMessage());
                continue;
            }
            System.out.println(name + ":");
            for (int i = 0; i < devices.size(); i++) {
                DeviceInfo d = devices.get(i);
                System.out.printf(Locale.ROOT, "  [%d] %s: %.1f GiB, %d compute units; %s%n", i, d.name(),
                        d.memoryBytes() / (double) (1L << 30), d.computeUnits(), d.detail());
            }
        }
        System.out.println("select one with --backend NAME (and -Dfacegen.opencl.device=N / -Dfacegen.cuda.device=N "
                + "in FACEGEN_JAVA_OPTS for another device)");
        return 0;
    }
}
