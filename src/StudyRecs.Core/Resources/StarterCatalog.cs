namespace StudyRecs.Core.Resources;

/// <summary>
/// A small catalog of well-known, free learning resources for the subjects the demo gradebooks use
/// (<see cref="Datasets.Generation.PerformanceDataGenerator"/>), so study plans have something real to link to in a
/// fresh Development portal. Teachers edit or retire these like any other entry.
/// </summary>
public static class StarterCatalog
{
    private static ResourceInput R(string subject, string topic, string title, string difficulty, string type, int minutes, string url, string tags, string description) => new()
    {
        Subject = subject,
        Topic = topic,
        Title = title,
        Difficulty = difficulty,
        Type = type,
        Minutes = minutes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Url = url,
        Tags = tags,
        Description = description,
    };

    public static IReadOnlyList<ResourceInput> Entries { get; } =
    [
        // Programming Fundamentals
        R("Programming Fundamentals", "Getting started", "The Python Tutorial", "beginner", "article", 180, "https://docs.python.org/3/tutorial/",
            "python, syntax, variables, control flow", "The official Python tutorial: values, control flow, functions, data structures and modules, with examples to type along."),
        R("Programming Fundamentals", "Getting started", "CS50x: Introduction to Computer Science", "beginner", "video", 120, "https://cs50.harvard.edu/x/",
            "c, python, problem solving, lectures", "Harvard's introductory course: lectures, notes and problem sets from Scratch through C to Python."),
        R("Programming Fundamentals", "Functions and loops", "Think Python, 2nd edition", "beginner", "article", 90, "https://greenteapress.com/wp/think-python-2e/",
            "python, functions, debugging, free book", "Allen Downey's free book for first-time programmers, one concept per chapter with exercises."),
        R("Programming Fundamentals", "Practice", "Exercism Python track", "intermediate", "exercise", 45, "https://exercism.org/tracks/python",
            "python, practice, mentoring, exercises", "Small programming exercises with automatic tests and optional mentor feedback."),
        R("Programming Fundamentals", "Self-check", "W3Schools Python quiz", "beginner", "quiz", 15, "https://www.w3schools.com/python/python_quiz.asp",
            "python, quiz, syntax", "A short multiple-choice quiz on Python syntax and built-in types."),
        R("Programming Fundamentals", "Computational thinking", "MIT 6.0001 Introduction to Computer Science and Programming in Python", "intermediate", "video", 90,
            "https://ocw.mit.edu/courses/6-0001-introduction-to-computer-science-and-programming-in-python-fall-2016/",
            "python, recursion, complexity, mit ocw", "MIT OpenCourseWare lectures and problem sets on computation, recursion, objects and algorithmic complexity."),

        // Data Structures
        R("Data Structures", "Visualisation", "VisuAlgo: data structures and algorithms through animation", "beginner", "exercise", 30, "https://visualgo.net/en",
            "linked list, heap, hash table, bst, animation", "Step-by-step animations of lists, heaps, hash tables and search trees you can drive yourself."),
        R("Data Structures", "Core structures", "Open Data Structures", "intermediate", "article", 120, "https://opendatastructures.org/",
            "arrays, linked lists, skiplists, hash tables, trees", "A free textbook that builds each structure with its analysis: array-backed lists, skiplists, hashing, binary trees, heaps."),
        R("Data Structures", "Hashing and trees", "MIT 6.006 Introduction to Algorithms (Spring 2020)", "intermediate", "video", 80,
            "https://ocw.mit.edu/courses/6-006-introduction-to-algorithms-spring-2020/",
            "hashing, binary trees, avl, heaps, mit ocw", "Lectures and problem sets on sequences, sets, hashing, balanced trees, heaps and graph search."),
        R("Data Structures", "Self-check", "Khan Academy: Algorithms", "beginner", "quiz", 20, "https://www.khanacademy.org/computing/computer-science/algorithms",
            "binary search, sorting, recursion, quiz", "Short articles with interactive challenges and quizzes on search, sorting, recursion and graphs."),

        // Discrete Mathematics
        R("Discrete Mathematics", "Proofs", "Book of Proof", "beginner", "article", 120, "https://www.people.vcu.edu/~rhammack/BookOfProof/",
            "proofs, sets, logic, induction, free book", "Richard Hammack's free introduction to sets, logic and proof techniques: direct, contrapositive, contradiction, induction."),
        R("Discrete Mathematics", "Counting and graphs", "Discrete Mathematics: An Open Introduction", "intermediate", "article", 120, "https://discrete.openmathbooks.org/dmoi3.html",
            "counting, combinatorics, graph theory, sequences", "Oscar Levin's open textbook on counting, sequences, symbolic logic, graph theory and generating functions, with exercises."),
        R("Discrete Mathematics", "Mathematics for computer science", "MIT 6.042J Mathematics for Computer Science", "advanced", "video", 80,
            "https://ocw.mit.edu/courses/6-042j-mathematics-for-computer-science-fall-2010/",
            "proofs, induction, number theory, probability, mit ocw", "Lectures and problem sets on proofs, induction, number theory, graphs, counting and discrete probability."),

        // Calculus
        R("Calculus", "Limits", "Khan Academy: Calculus 1", "beginner", "video", 60, "https://www.khanacademy.org/math/calculus-1",
            "limits, continuity, derivatives, practice", "Short videos and practice exercises on limits, continuity, derivatives and their applications."),
        R("Calculus", "Intuition", "Essence of calculus (3Blue1Brown)", "beginner", "video", 45, "https://www.3blue1brown.com/topics/calculus",
            "derivatives, integrals, intuition, animation", "Animated lessons that build the intuition behind derivatives, the chain rule and integrals."),
        R("Calculus", "Derivatives", "Paul's Online Notes: Calculus I", "intermediate", "article", 60, "https://tutorial.math.lamar.edu/Classes/CalcI/CalcI.aspx",
            "derivatives, limits, integrals, notes", "Clear lecture notes with worked examples for a first calculus course, from limits to basic integration."),
        R("Calculus", "Derivatives", "Paul's Online Notes: Calculus I practice problems", "intermediate", "exercise", 45, "https://tutorial.math.lamar.edu/Problems/CalcI/CalcI.aspx",
            "derivatives, limits, practice, solutions", "Practice problems for every Calculus I section, each with a full worked solution."),
        R("Calculus", "Integration", "OpenStax Calculus Volume 1", "intermediate", "article", 90, "https://openstax.org/details/books/calculus-volume-1",
            "limits, derivatives, integration, textbook", "A free, peer-reviewed textbook covering functions, limits, derivatives and integration with exercises."),
        R("Calculus", "Series", "Paul's Online Notes: Calculus II", "advanced", "article", 60, "https://tutorial.math.lamar.edu/Classes/CalcII/CalcII.aspx",
            "integration techniques, series, parametric, notes", "Integration techniques, applications of integrals, parametric curves, and sequences and series."),
        R("Calculus", "Single variable", "MIT 18.01SC Single Variable Calculus", "advanced", "video", 90, "https://ocw.mit.edu/courses/18-01sc-single-variable-calculus-fall-2010/",
            "differentiation, integration, series, mit ocw", "MIT OpenCourseWare scholar course with lecture videos, recitations, problem sets and exams."),

        // Linear Algebra
        R("Linear Algebra", "Intuition", "Essence of linear algebra (3Blue1Brown)", "beginner", "video", 60, "https://www.3blue1brown.com/topics/linear-algebra",
            "vectors, matrices, linear transformations, intuition", "Animated lessons on vectors, linear transformations, determinants and eigenvectors, seen geometrically."),
        R("Linear Algebra", "Vectors and matrices", "Khan Academy: Linear algebra", "beginner", "video", 60, "https://www.khanacademy.org/math/linear-algebra",
            "vectors, matrices, null space, practice", "Videos on vectors and spaces, matrix transformations and alternate bases."),
        R("Linear Algebra", "Matrices", "MIT 18.06 Linear Algebra (Gilbert Strang)", "intermediate", "video", 50, "https://ocw.mit.edu/courses/18-06-linear-algebra-spring-2010/",
            "elimination, vector spaces, eigenvalues, mit ocw", "Gilbert Strang's lectures on elimination, the four subspaces, orthogonality, determinants and eigenvalues."),
        R("Linear Algebra", "Problem solving", "MIT 18.06SC Linear Algebra problem sets", "advanced", "exercise", 60, "https://ocw.mit.edu/courses/18-06sc-linear-algebra-fall-2011/",
            "eigenvalues, svd, problem sets, mit ocw", "Scholar version of 18.06 with recitation videos, problem sets and exams with solutions."),
        R("Linear Algebra", "Geometry", "Immersive Linear Algebra", "intermediate", "article", 60, "http://immersivemath.com/ila/index.html",
            "vectors, dot product, determinants, interactive", "An interactive book whose figures you can rotate and change to see each definition at work."),

        // Database Systems
        R("Database Systems", "SQL queries", "SQLBolt: interactive SQL lessons", "beginner", "exercise", 40, "https://sqlbolt.com/",
            "sql, select, joins, practice", "Interactive lessons that teach SQL by writing queries against small tables in the browser."),
        R("Database Systems", "SQL queries", "PostgreSQL tutorial", "beginner", "article", 45, "https://www.postgresql.org/docs/current/tutorial.html",
            "sql, postgresql, tables, joins", "The PostgreSQL manual's tutorial: creating tables, querying, joins, aggregates, views and transactions."),
        R("Database Systems", "Self-check", "W3Schools SQL quiz", "beginner", "quiz", 15, "https://www.w3schools.com/sql/sql_quiz.asp",
            "sql, quiz", "A short multiple-choice quiz on SQL statements and clauses."),
        R("Database Systems", "Indexing", "Use The Index, Luke", "intermediate", "article", 60, "https://use-the-index-luke.com/",
            "indexes, b-tree, query performance, sql", "A guide to how B-tree indexes work and how to write SQL that uses them well."),
        R("Database Systems", "Internals", "CMU 15-445 Database Systems", "advanced", "video", 80, "https://15445.courses.cs.cmu.edu/",
            "storage, buffer pool, query execution, transactions", "Carnegie Mellon's course on how database systems are built: storage, indexing, execution, concurrency and recovery."),
        R("Database Systems", "Operations", "GitLab.com database outage postmortem", "intermediate", "case study", 20,
            "https://about.gitlab.com/blog/2017/02/10/postmortem-of-database-outage-of-january-31/",
            "backups, replication, incident, postmortem", "How an accidental deletion and untested backups took GitLab.com down, and what was changed afterwards."),

        // Operating Systems
        R("Operating Systems", "Processes and memory", "Operating Systems: Three Easy Pieces", "intermediate", "article", 90, "https://pages.cs.wisc.edu/~remzi/OSTEP/",
            "processes, scheduling, virtual memory, concurrency, free book", "The free OSTEP book on virtualisation, concurrency and persistence, with homework simulators."),
        R("Operating Systems", "Kernels", "MIT 6.1810 Operating System Engineering", "advanced", "exercise", 120, "https://pdos.csail.mit.edu/6.828/",
            "xv6, kernel, labs, system calls", "MIT's operating systems course built around the xv6 teaching kernel and hands-on labs."),
        R("Operating Systems", "Tools", "The Missing Semester of Your CS Education", "beginner", "video", 50, "https://missing.csail.mit.edu/",
            "shell, git, editors, command line", "MIT lectures on the shell, scripting, version control and the tools around programming."),

        // Computer Networks
        R("Computer Networks", "Protocols", "Computer Networks: A Systems Approach", "intermediate", "article", 90, "https://book.systemsapproach.org/",
            "tcp, ip, routing, congestion control, free book", "Peterson and Davie's open textbook on how the Internet's protocols are designed and why."),
        R("Computer Networks", "Sockets", "Beej's Guide to Network Programming", "intermediate", "exercise", 60, "https://beej.us/guide/bgnet/",
            "sockets, tcp, udp, c", "A practical guide to writing network programs with sockets, with complete examples."),
        R("Computer Networks", "DNS", "What is DNS? (Cloudflare Learning Center)", "beginner", "article", 10, "https://www.cloudflare.com/learning/dns/what-is-dns/",
            "dns, resolvers, name servers", "A short explanation of how a domain name is resolved to an address, step by step."),
        R("Computer Networks", "Operations", "Details of the Cloudflare outage on July 2, 2019", "advanced", "case study", 25,
            "https://blog.cloudflare.com/details-of-the-cloudflare-outage-on-july-2-2019/",
            "outage, regular expressions, deployment, postmortem", "A detailed postmortem of a global outage caused by one regular expression, and the process changes it led to."),

        // Software Engineering
        R("Software Engineering", "Version control", "Pro Git", "beginner", "article", 60, "https://git-scm.com/book/en/v2",
            "git, branching, version control, free book", "The free Git book: basics, branching, remotes, workflows and internals."),
        R("Software Engineering", "Software construction", "MIT 6.005 Software Construction", "intermediate", "article", 60, "https://ocw.mit.edu/courses/6-005-software-construction-spring-2016/",
            "testing, specifications, abstract data types, java", "Readings and exercises on writing code that is safe from bugs, easy to understand and ready for change."),
        R("Software Engineering", "Practice at scale", "Software Engineering at Google", "advanced", "article", 90, "https://abseil.io/resources/swe-book",
            "code review, testing, culture, scale", "How Google approaches code review, testing, dependency management and engineering culture over time."),
        R("Software Engineering", "Safety", "An Investigation of the Therac-25 Accidents", "advanced", "case study", 60, "http://sunnyday.mit.edu/papers/therac.pdf",
            "safety, race conditions, accidents, ethics", "Leveson and Turner's classic analysis of how software faults in a radiation therapy machine harmed patients."),

        // Algorithms
        R("Algorithms", "Design techniques", "Jeff Erickson: Algorithms", "advanced", "article", 120, "https://jeffe.cs.illinois.edu/teaching/algorithms/",
            "recursion, dynamic programming, graphs, free book", "A free textbook on recursion, backtracking, dynamic programming, greedy algorithms and graph algorithms."),
        R("Algorithms", "Design and analysis", "MIT 6.046J Design and Analysis of Algorithms", "advanced", "video", 80,
            "https://ocw.mit.edu/courses/6-046j-design-and-analysis-of-algorithms-spring-2015/",
            "divide and conquer, network flow, randomized, mit ocw", "Lectures on divide and conquer, amortisation, randomised algorithms, flows and complexity."),
        R("Algorithms", "Sorting and searching", "VisuAlgo: sorting", "beginner", "exercise", 25, "https://visualgo.net/en/sorting",
            "sorting, merge sort, quicksort, animation", "Animations of bubble, insertion, merge, quick and radix sort with their running times."),

        // Probability and Statistics
        R("Probability and Statistics", "Foundations", "Khan Academy: Statistics and probability", "beginner", "video", 60, "https://www.khanacademy.org/math/statistics-probability",
            "distributions, probability, inference, practice", "Videos and exercises on data displays, probability, random variables and inference."),
        R("Probability and Statistics", "Intuition", "Seeing Theory", "beginner", "article", 30, "https://seeing-theory.brown.edu/",
            "probability, distributions, visualisation", "Brown University's visual introduction to probability and statistics."),
        R("Probability and Statistics", "Inference", "OpenIntro Statistics", "intermediate", "article", 90, "https://www.openintro.org/book/os/",
            "hypothesis testing, regression, inference, free book", "A free textbook on data, probability, inference and regression, with labs and exercises."),
        R("Probability and Statistics", "Probability", "MIT 18.05 Introduction to Probability and Statistics", "advanced", "exercise", 60,
            "https://ocw.mit.edu/courses/18-05-introduction-to-probability-and-statistics-spring-2022/",
            "bayesian, frequentist, problem sets, mit ocw", "Class notes, in-class problems and problem sets on probability, Bayesian and frequentist statistics."),

        // Computer Architecture
        R("Computer Architecture", "From gates to computer", "Nand2Tetris: Build a Modern Computer from First Principles", "intermediate", "exercise", 120, "https://www.nand2tetris.org/",
            "logic gates, cpu, assembler, projects", "Projects that build a computer from NAND gates up to a CPU, assembler, compiler and operating system."),
        R("Computer Architecture", "Digital systems", "MIT 6.004 Computation Structures", "advanced", "video", 60, "https://ocw.mit.edu/courses/6-004-computation-structures-spring-2017/",
            "digital logic, pipelining, caches, risc-v, mit ocw", "Lectures on digital logic, processor design, pipelining, memory hierarchy and parallelism."),

        // Artificial Intelligence
        R("Artificial Intelligence", "Search and planning", "UC Berkeley CS188 Introduction to Artificial Intelligence", "intermediate", "exercise", 90, "https://inst.eecs.berkeley.edu/~cs188/",
            "search, mdp, reinforcement learning, pacman", "Berkeley's AI course with the Pac-Man projects on search, games, MDPs and reinforcement learning."),
        R("Artificial Intelligence", "Foundations", "MIT 6.034 Artificial Intelligence", "intermediate", "video", 50, "https://ocw.mit.edu/courses/6-034-artificial-intelligence-fall-2010/",
            "search, constraints, learning, mit ocw", "Patrick Winston's lectures on search, constraints, learning and representations."),
        R("Artificial Intelligence", "Textbook", "Artificial Intelligence: A Modern Approach (resources)", "advanced", "article", 30, "https://aima.cs.berkeley.edu/",
            "agents, search, logic, probability", "The companion site of Russell and Norvig's textbook: code, exercises and slides."),

        // Web Development
        R("Web Development", "HTML and CSS", "MDN Learn web development", "beginner", "article", 60, "https://developer.mozilla.org/en-US/docs/Learn",
            "html, css, javascript, accessibility", "Mozilla's structured path through HTML, CSS and JavaScript, with assessments."),
        R("Web Development", "HTTP", "An overview of HTTP (MDN)", "beginner", "article", 20, "https://developer.mozilla.org/en-US/docs/Web/HTTP/Overview",
            "http, requests, responses, headers", "How clients and servers talk over HTTP: messages, methods, headers and connections."),
        R("Web Development", "CSS", "Learn CSS (web.dev)", "intermediate", "article", 60, "https://web.dev/learn/css",
            "css, layout, flexbox, grid", "A course on CSS from the box model through flexbox, grid and responsive layout."),
        R("Web Development", "Self-check", "W3Schools JavaScript quiz", "beginner", "quiz", 15, "https://www.w3schools.com/js/js_quiz.asp",
            "javascript, quiz", "A short multiple-choice quiz on JavaScript basics."),

        // Theory of Computation
        R("Theory of Computation", "Automata and complexity", "MIT 18.404J Theory of Computation", "advanced", "video", 80, "https://ocw.mit.edu/courses/18-404j-theory-of-computation-fall-2020/",
            "automata, turing machines, complexity, mit ocw", "Michael Sipser's lectures on automata, computability and complexity theory."),

        // Compilers
        R("Compilers", "Interpreters", "Crafting Interpreters", "intermediate", "exercise", 120, "https://craftinginterpreters.com/",
            "parsing, interpreters, bytecode, virtual machine", "Build two complete interpreters for a small language, from scanning and parsing to a bytecode VM."),

        // Computer Graphics
        R("Computer Graphics", "Ray tracing", "Ray Tracing in One Weekend", "intermediate", "exercise", 180, "https://raytracing.github.io/books/RayTracingInOneWeekend.html",
            "ray tracing, rendering, c++", "Write a small ray tracer step by step: rays, spheres, materials, antialiasing and a camera."),
        R("Computer Graphics", "Real-time rendering", "LearnOpenGL", "intermediate", "article", 90, "https://learnopengl.com/",
            "opengl, shaders, lighting, textures", "Tutorials on modern OpenGL: the pipeline, shaders, textures, transformations and lighting."),

        // Information Security
        R("Information Security", "Web risks", "OWASP Top Ten", "beginner", "article", 30, "https://owasp.org/www-project-top-ten/",
            "owasp, injection, access control, web security", "The most critical web application security risks, with examples and how to prevent them."),
        R("Information Security", "Web attacks", "PortSwigger Web Security Academy", "intermediate", "exercise", 60, "https://portswigger.net/web-security",
            "sql injection, xss, csrf, labs", "Free interactive labs on SQL injection, XSS, CSRF, access control and more."),
        R("Information Security", "Cryptography", "Khan Academy: Cryptography", "beginner", "video", 40, "https://www.khanacademy.org/computing/computer-science/cryptography",
            "ciphers, modular arithmetic, public key", "From ancient ciphers to modular arithmetic and public-key cryptography."),
        R("Information Security", "Breaches", "GAO: Actions Taken by Equifax and Federal Agencies in Response to the 2017 Breach", "advanced", "case study", 60,
            "https://www.gao.gov/products/gao-18-559",
            "breach, patching, incident response", "The US Government Accountability Office's account of how the Equifax breach happened and how it was handled."),

        // Machine Learning
        R("Machine Learning", "Foundations", "Google Machine Learning Crash Course", "beginner", "video", 60, "https://developers.google.com/machine-learning/crash-course",
            "regression, classification, overfitting, quizzes", "Short videos, interactive visualisations and quizzes on the core ideas of machine learning."),
        R("Machine Learning", "Practice", "Kaggle Learn: Intro to Machine Learning", "beginner", "exercise", 60, "https://www.kaggle.com/learn/intro-to-machine-learning",
            "decision trees, random forests, pandas, python", "Hands-on notebooks that build, validate and improve a first model."),
        R("Machine Learning", "Neural networks", "Neural networks (3Blue1Brown)", "intermediate", "video", 60, "https://www.3blue1brown.com/topics/neural-networks",
            "neural networks, gradient descent, backpropagation", "Animated lessons on what a neural network computes and how it learns by backpropagation."),
        R("Machine Learning", "In production", "Rules of Machine Learning", "advanced", "article", 45, "https://developers.google.com/machine-learning/guides/rules-of-ml",
            "ml engineering, features, monitoring", "Martin Zinkevich's best practices for machine learning engineering in products."),
        R("Machine Learning", "Theory", "Stanford CS229 Machine Learning", "advanced", "article", 90, "https://cs229.stanford.edu/",
            "supervised learning, generalisation, theory", "Lecture notes and problem sets of Stanford's graduate machine learning course."),

        // Human-Computer Interaction
        R("Human-Computer Interaction", "Usability", "10 Usability Heuristics for User Interface Design", "beginner", "article", 15, "https://www.nngroup.com/articles/ten-usability-heuristics/",
            "usability, heuristics, evaluation", "Jakob Nielsen's ten general principles for interaction design, with examples."),
        R("Human-Computer Interaction", "Accessibility", "Introduction to Web Accessibility (W3C WAI)", "beginner", "article", 20, "https://www.w3.org/WAI/fundamentals/accessibility-intro/",
            "accessibility, wcag, inclusive design", "What web accessibility is, why it matters and where to start."),
        R("Human-Computer Interaction", "Design", "MIT 6.831 User Interface Design and Implementation", "intermediate", "article", 60,
            "https://ocw.mit.edu/courses/6-831-user-interface-design-and-implementation-spring-2011/",
            "usability, prototyping, user testing, mit ocw", "Lecture notes and assignments on learnability, efficiency, safety, prototyping and user testing."),
    ];
}
