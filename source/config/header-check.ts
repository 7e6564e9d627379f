/** A header name is an RFC 9110 token; a value has no CR, LF or NUL. */
const tokenPattern = /^[!#$%&'*+\-.^_`|~\dA-Za-z]+$/;
const badValuePattern = /[\r\n\0]/;

/** What is wrong with a header, or undefined when it can go on the wire as is. */
export function invalidHeader(name: string, value: string): string | undefined {
	if (!tokenPattern.test(name)) {
		return `header name ${JSON.stringify(name)} is not a valid HTTP token`;
	}

	if (badValuePattern.test(value)) {
		return `header ${name} has a line break or NUL in its value`;
	}

	return undefined;
}
