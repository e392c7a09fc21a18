package group

// blobSize is protocol.BlobSize; it stands here until the server protocol
// lands and is then defined from it.
const blobSize = 4096
