using System.Text.RegularExpressions;
using VideoConv.Cli.Tests.TestSupport;

namespace VideoConv.Cli.Tests.Safety;

/// <summary>
/// Issue 10, case 1 as a rule of the code base: every child process in src/ is started through
/// <c>SystemTools.StartInfo</c> (an argument list, a session of its own), so no command string can come back.
/// </summary>
public sealed partial class ChildProcessSourceTests
{
    [GeneratedRegex(@"new\s+ProcessStartInfo\s*\(|Process\.Start\s*\(\s*""|\.Arguments\s*=|UseShellExecute\s*=\s*true")]
    private static partial Regex ProcessCreation();

    [Fact]
    public void Src_StartsChildProcessesOnlyThroughSystemTools()
    {
        string src = Path.Combine(Repository.Root, "src");
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => Path.GetFileName(f) != "SystemTools.cs")
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => ProcessCreation().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(src, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "child processes started outside SystemTools.StartInfo:\n" + string.Join('\n', offenders));
        Assert.Contains("ArgumentList", File.ReadAllText(Path.Combine(src, "VideoConv.Pipeline", "SystemTools.cs")));
    }
}
