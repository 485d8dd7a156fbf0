namespace VideoConv.Cli.Tests.TestSupport;

/// <summary>Paths in the repository the tests run from.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Configs => Path.Combine(Root, "configs");
    public static string Filters => Path.Combine(Root, "filters");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "VideoConv.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("VideoConv.sln not found above " + AppContext.BaseDirectory);
    }
}
