namespace VideoConv.Cli;

internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("videoconv: not built yet");
        return 1;
    }
}
