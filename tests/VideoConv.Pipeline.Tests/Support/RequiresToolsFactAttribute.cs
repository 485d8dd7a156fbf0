namespace VideoConv.Pipeline.Tests.Support;

/// <summary>A fact that is skipped, visibly and with the reason, when a tool it needs is not on PATH.</summary>
public sealed class RequiresToolsFactAttribute : FactAttribute
{
    public RequiresToolsFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => !TestMedia.HaveTool(t)).ToArray();
        if (missing.Length > 0) Skip = $"skipped: needs {string.Join(", ", missing)} on PATH (not installed here)";
    }
}

/// <summary>A fact that is skipped, visibly, when a path exists (e.g. a camera device the test assumes absent).</summary>
public sealed class RequiresAbsentPathFactAttribute : FactAttribute
{
    public RequiresAbsentPathFactAttribute(string path)
    {
        if (File.Exists(path) || Directory.Exists(path)) Skip = $"skipped: {path} exists on this machine";
    }
}

/// <summary>A fact that runs only when an environment variable is set (long or machine-sensitive tests), skipped visibly otherwise.</summary>
public sealed class RequiresEnvironmentFactAttribute : FactAttribute
{
    public RequiresEnvironmentFactAttribute(string variable, params string[] tools)
    {
        var missing = tools.Where(t => !TestMedia.HaveTool(t)).ToArray();
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
            Skip = $"skipped: set {variable}=1 to run (a soak test; wants an otherwise idle machine and a Release build)";
        else if (missing.Length > 0)
            Skip = $"skipped: needs {string.Join(", ", missing)} on PATH (not installed here)";
    }
}
