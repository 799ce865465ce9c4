using System.Reflection;
using System.Runtime.InteropServices;
using Runstream.Contracts.V1;

namespace Runstream.Client.Capture;

/// <summary>What the program is and runs on, for the run page: its code state, command line, runtime, host and assemblies.</summary>
internal static class EnvironmentProbe
{
    public static RunEnvironment Read()
    {
        var args = System.Environment.GetCommandLineArgs();
        var program = Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry ? entry : System.Environment.ProcessPath ?? args.FirstOrDefault() ?? "";
        var environment = new RunEnvironment
        {
            Program = program,
            Args = { args.Skip(1) },
            Runtime = RuntimeInformation.FrameworkDescription,
            Host = System.Environment.MachineName,
            Os = $"{RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}",
            Packages = { LoadedAssemblies() },
        };
        if (GitProbe.Read(Path.GetDirectoryName(program) is { Length: > 0 } folder && Directory.Exists(folder) ? folder : System.Environment.CurrentDirectory) is { } git)
            environment.Git = git;
        return environment;
    }

    /// <summary>"name==version" of the assemblies loaded now, without the runtime's own.</summary>
    private static IEnumerable<string> LoadedAssemblies() =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic)
            .Select(a => a.GetName())
            .Where(n => n.Name is { } name && !name.StartsWith("System.", StringComparison.Ordinal) && name is not "System" and not "mscorlib" and not "netstandard"
                && !name.StartsWith("Microsoft.Win32", StringComparison.Ordinal))
            .Select(n => $"{n.Name}=={n.Version}")
            .Distinct()
            .Order(StringComparer.Ordinal);
}
