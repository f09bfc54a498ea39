using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using StudyRecs.Core.Data;
using StudyRecs.Core.Scheduling;

#nullable disable

namespace StudyRecs.Migrations.Postgres.Migrations
{
    /// <summary>
    /// Creates the Quartz job-store tables from the schema script shipped inside the Quartz package in use
    /// (idempotent CREATE ... IF NOT EXISTS statements). Written by hand: the EF model does not describe these tables.
    /// </summary>
    [DbContext(typeof(StudyRecsDbContext))]
    [Migration("20261122010000_QuartzJobStore")]
    public partial class QuartzJobStore : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in QuartzSchema.CreateStatements("postgres"))
            {
                migrationBuilder.Sql(statement);
            }
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in QuartzSchema.DropStatements())
            {
                migrationBuilder.Sql(statement);
            }
        }
    }
}
