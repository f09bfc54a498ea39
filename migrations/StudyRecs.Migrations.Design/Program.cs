// `dotnet ef` needs an executable start-up project; this one only hosts the design-time factory.
Console.WriteLine("Design-time project for EF Core migrations: use migrations/add.sh.");
